package emf

import (
	"bytes"
	"io"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/emfcheck"
)

func newWriter(t *testing.T) (*Writer, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w, err := New(&buf, "gmailsend")
	if err != nil {
		t.Fatal(err)
	}
	return w, &buf
}

// lines checks every written line against the specification and returns them.
func lines(t *testing.T, buf *bytes.Buffer) []string {
	t.Helper()
	out := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for _, l := range out {
		if err := emfcheck.Check([]byte(l), time.Now()); err != nil {
			t.Fatalf("%v\n%s", err, l)
		}
	}
	return out
}

// TestNamespaceRules ensures namespaces CloudWatch refuses are refused at start, not silently dropped later.
func TestNamespaceRules(t *testing.T) {
	for _, ns := range []string{"gmailsend", "Mail/gmailsend-prod", "a.b_c#d:e"} {
		if err := CheckNamespace(ns); err != nil {
			t.Errorf("%q: %v", ns, err)
		}
	}
	for _, ns := range []string{"", "AWS/Lambda", "with space", "메일", strings.Repeat("a", 256)} {
		if _, err := New(new(bytes.Buffer), ns); err == nil {
			t.Errorf("%q accepted", ns)
		}
	}
}

// TestWriteRefusesBrokenDocuments ensures the writer never emits a line CloudWatch would drop: missing values, bad units, too many metrics or dimensions.
func TestWriteRefusesBrokenDocuments(t *testing.T) {
	w, buf := newWriter(t)
	many := make([]Definition, 101)
	values := map[string]float64{}
	for i := range many {
		many[i] = Definition{Name: strings.Repeat("m", i+1), Unit: Count}
		values[many[i].Name] = 1
	}
	wide := make([]string, 31)
	dims := map[string]string{}
	for i := range wide {
		wide[i] = strings.Repeat("d", i+1)
		dims[wide[i]] = "v"
	}
	broken := map[string]Document{
		"no directive":    {Values: map[string]float64{"a": 1}},
		"no value":        {Directives: []Directive{{Metrics: []Definition{{"a", Count}}}}},
		"NaN":             {Directives: []Directive{{Metrics: []Definition{{"a", Count}}}}, Values: map[string]float64{"a": math.NaN()}},
		"bad unit":        {Directives: []Directive{{Metrics: []Definition{{"a", "count"}}}}, Values: map[string]float64{"a": 1}},
		"101 metrics":     {Directives: []Directive{{Metrics: many}}, Values: values},
		"31 dimensions":   {Directives: []Directive{{Dimensions: [][]string{wide}, Metrics: []Definition{{"a", Count}}}}, Values: map[string]float64{"a": 1}, Dimensions: dims},
		"no dim value":    {Directives: []Directive{{Dimensions: [][]string{{"x"}}, Metrics: []Definition{{"a", Count}}}}, Values: map[string]float64{"a": 1}},
		"dim is a metric": {Directives: []Directive{{Dimensions: [][]string{{"a"}}, Metrics: []Definition{{"a", Count}}}}, Values: map[string]float64{"a": 1}, Dimensions: map[string]string{"a": "v"}},
	}
	for name, d := range broken {
		if err := w.Write(d); err == nil {
			t.Errorf("%s: written", name)
		}
	}
	if buf.Len() != 0 {
		t.Fatalf("a refused document was written: %s", buf)
	}
}

// TestConcurrentWritesStayWholeLines ensures lines written from many goroutines never interleave.
func TestConcurrentWritesStayWholeLines(t *testing.T) {
	w, buf := newWriter(t)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Send(Send{Source: "sqs", Outcome: "sent", Credential: "support-desk", Recipients: 3}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(lines(t, buf)); n != 50 {
		t.Fatalf("%d lines", n)
	}
}

// BenchmarkSend measures what one send's metric line costs the function (marshalling and one write).
func BenchmarkSend(b *testing.B) {
	w, err := New(io.Discard, "gmailsend")
	if err != nil {
		b.Fatal(err)
	}
	s := Send{Source: "sqs", Outcome: "sent", Credential: "support-desk", Duration: 31 * time.Millisecond, RoundTrips: 2, Recipients: 3}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Send(s); err != nil {
			b.Fatal(err)
		}
	}
}
