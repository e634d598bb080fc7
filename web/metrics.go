package web

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Metrics is a small registry of counters and gauges written in the
// Prometheus text format. Safe for concurrent use.
type Metrics struct {
	mu     sync.Mutex
	help   map[string]string
	kind   map[string]string // counter or gauge
	values map[string]map[string]float64
}

// NewMetrics returns an empty registry.
func NewMetrics() *Metrics {
	return &Metrics{help: map[string]string{}, kind: map[string]string{}, values: map[string]map[string]float64{}}
}

// Add adds v to the counter name with the label pairs ("source", "x").
func (m *Metrics) Add(name, help string, v float64, labels ...string) {
	m.set(name, help, "counter", v, true, labels)
}

// Set sets the gauge name with the label pairs.
func (m *Metrics) Set(name, help string, v float64, labels ...string) {
	m.set(name, help, "gauge", v, false, labels)
}

func (m *Metrics) set(name, help, kind string, v float64, add bool, labels []string) {
	key := labelString(labels)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.values[name]; !ok {
		m.values[name] = map[string]float64{}
		m.help[name], m.kind[name] = help, kind
	}
	if add {
		m.values[name][key] += v
	} else {
		m.values[name][key] = v
	}
}

// labelString renders label pairs as {k="v",...}, escaping values.
func labelString(labels []string) string {
	if len(labels) < 2 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(labels); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		v := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(labels[i+1])
		fmt.Fprintf(&b, "%s=\"%s\"", labels[i], v)
	}
	b.WriteByte('}')
	return b.String()
}

// WriteText writes every metric, sorted, in the Prometheus text format.
func (m *Metrics) WriteText(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.values))
	for n := range m.values {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", n, m.help[n], n, m.kind[n])
		keys := make([]string, 0, len(m.values[n]))
		for k := range m.values[n] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s%s %g\n", n, k, m.values[n][k])
		}
	}
}
