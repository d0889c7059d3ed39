package benchmark

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestCostOfAThousandSends ensures the cost arithmetic: billed milliseconds rounded up per invocation, GB-seconds at the memory size, request units and requests at their prices.
func TestCostOfAThousandSends(t *testing.T) {
	var warm Result
	for _, d := range []time.Duration{9100 * time.Microsecond, 10 * time.Millisecond} { // billed 10 and 10 ms
		warm.record(d, 1)
	}
	c := warmCost("sync", warm, "")
	if c.BilledMs != 10 || c.Invocations != 1 {
		t.Fatalf("%+v", c)
	}
	c.WRU, c.RRU, c.SQS, c.Secrets = 3, 1, 2, 0.5
	lambda, dynamo, sqs, secrets := c.per1000(256)
	// 1,000 × (0.2 µ$ + 0.010 s × 0.25 GB × 13.3334 µ$)
	want := map[string][2]float64{
		"lambda":  {lambda, 1000 * (0.20/1e6 + 0.010*0.25*0.0000133334)},
		"dynamo":  {dynamo, 1000 * (3*0.625/1e6 + 1*0.125/1e6)},
		"sqs":     {sqs, 1000 * 2 * 0.40 / 1e6},
		"secrets": {secrets, 1000 * 0.5 * 0.05 / 1e4},
	}
	for name, v := range want {
		if math.Abs(v[0]-v[1]) > 1e-12 {
			t.Errorf("%s: %g, want %g", name, v[0], v[1])
		}
	}
	if wru, rru := dynamoUnits(map[string]int{"PutItem": 2, "UpdateItem": 1, "BatchGetItem": 1, "Query": 1}); wru != 3 || rru != 2 {
		t.Fatalf("units %v %v", wru, rru)
	}
}

// TestCostUsesTheTemplatesMemorySize ensures the cost table is computed at the MemorySize template.yaml deploys, and prints a row per measured kind of send beside SES and Resend.
func TestCostUsesTheTemplatesMemorySize(t *testing.T) {
	mb, err := TemplateMemoryMB(fixture.ModuleRoot(t))
	if err != nil || mb < 128 {
		t.Fatalf("%d %v", mb, err)
	}
	var warm Result
	warm.record(20*time.Millisecond, 1)
	warm.Server, warm.Workload, warm.Contender = DevServer, Warm, Gmailsend
	rep := &Report{Results: []Result{warm}, Servers: []target{{Name: DevServer}}}
	sr := &StoreReport{Stored: warm, Requests: map[string]int{"PutItem": 2, "UpdateItem": 1}}
	qr := &QueuedReport{Batch: 100, Invocations: 10, BilledMs: 1000, Requests: map[string]map[string]int{"sqs": {"SendMessageBatch": 10}}}
	var b bytes.Buffer
	NewCostReport(mb, rep, sr, qr).WriteMarkdown(&b)
	for _, want := range []string{"`MemorySize` of " + strconv.Itoa(mb) + " MB", "| synchronous, stateless (development server) | 1000 | 20000 |",
		"| synchronous, with the store | 1000 | 20000 |", "| 3000 / 0 |", "| queued, a batch of 100 | 110 | 10000 |", "| Amazon SES |", "| Resend"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("cost table lacks %q:\n%s", want, b.String())
		}
	}
}
