package newsmon

import (
	"strings"
	"testing"
	"time"
)

func TestParseDateBounds(t *testing.T) {
	day, err := ParseDate("since", " 2024-03-01 ", false)
	if err != nil || !day.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("since 2024-03-01 = %v, %v", day, err)
	}
	end, err := ParseDate("until", "2024-03-01", true)
	if err != nil || !end.Equal(time.Date(2024, 3, 1, 23, 59, 59, 999999999, time.UTC)) {
		t.Errorf("until 2024-03-01 = %v, %v", end, err)
	}
	exact, err := ParseDate("until", "2024-03-01T09:00:00+05:00", true)
	if err != nil || !exact.Equal(time.Date(2024, 3, 1, 4, 0, 0, 0, time.UTC)) {
		t.Errorf("until with a time = %v, %v", exact, err)
	}
	if none, err := ParseDate("since", "", false); none != nil || err != nil {
		t.Errorf("empty = %v, %v; want nil, nil", none, err)
	}
	_, err = ParseDate("--since", "2024-13-01", false)
	if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), `--since "2024-13-01"`) {
		t.Errorf("bad date: %v, want EINVALID naming --since", err)
	}
}
