package testsite

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkGeneratedArticle measures serving one generated ~60 KB article
// over loopback, client included.
func BenchmarkGeneratedArticle(b *testing.B) {
	s := Generated(1000)
	defer s.Close()
	exp := s.Expected()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := client.Get(exp[i%len(exp)].URL)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		b.SetBytes(n)
	}
}
