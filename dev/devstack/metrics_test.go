package devstack

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/emf"
)

// TestMetricsSummaryShowsTheSendsMetrics ensures the summary `make run` prints names every metric of a real metric line once, with its value, unit, dimension values and dimension sets, and ignores ordinary log lines.
func TestMetricsSummaryShowsTheSendsMetrics(t *testing.T) {
	var out bytes.Buffer
	out.WriteString(`{"time":"2026-11-23T00:00:00Z","level":"INFO","msg":"send","outcome":"sent"}` + "\n")
	w, err := emf.New(&out, "gmailsend")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(emf.Send{Source: "apigateway-rest", Outcome: "sent", Credential: "support-desk",
		Duration: 12 * time.Millisecond, RoundTrips: 7, Recipients: 2}); err != nil {
		t.Fatal(err)
	}
	got := MetricsSummary(out.String())
	for _, want := range []string{
		"== metrics published to CloudWatch",
		"[1] namespace gmailsend  Account=support-desk Outcome=sent Source=apigateway-rest",
		"Sends                           1 Count",
		"Duration                       12 Milliseconds",
		"SMTPRoundTrips                  7 Count",
		"Recipients                      2 Count",
		"StoredCredentialSends           1 Count",
		"by: Account+Outcome | Outcome | Source+Outcome",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "Sends                           1") != 1 {
		t.Errorf("a metric is listed more than once:\n%s", got)
	}
	if MetricsSummary(`{"msg":"send"}`+"\n") != "" {
		t.Error("a log without metric lines must give no section")
	}
	if bad := MetricsSummary(`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]}}`); !strings.Contains(bad, "not valid EMF") {
		t.Errorf("an invalid line must be called out: %q", bad)
	}
}
