package samtemplate_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/emf"
)

// dashboardMetric is one metric a widget shows: namespace, name and the
// names of its dimensions (sorted).
type dashboardMetric struct {
	namespace, name string
	dims            []string
}

func (m dashboardMetric) String() string {
	return m.namespace + " " + m.name + " {" + strings.Join(m.dims, ",") + "}"
}

// dashboardMetrics reads every metric of the Dashboard's widgets: metric
// rows ["ns", "name", "dim", "value", …, {options}] and SEARCH expressions
// ('{ns,dim,…} MetricName="name"'). ${MetricsNamespace} becomes "OURS".
func dashboardMetrics(t *testing.T) (widgets int, out []dashboardMetric) {
	t.Helper()
	d := ofType(load(t), "AWS::CloudWatch::Dashboard")["Dashboard"]
	if d == nil {
		t.Fatal("template.yaml has no Dashboard resource")
	}
	body, ok := get(d, "Properties", "DashboardBody", "Fn::Sub").(string)
	if !ok {
		t.Fatalf("DashboardBody is not a !Sub string: %v", get(d, "Properties", "DashboardBody"))
	}
	body = strings.ReplaceAll(body, "${MetricsNamespace}", "OURS")
	body = regexp.MustCompile(`\$\{[^}]+\}`).ReplaceAllString(body, "resolved")
	var doc struct {
		Widgets []struct {
			Type       string
			Properties struct {
				Title   string
				Metrics [][]any
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("DashboardBody is not JSON: %v", err)
	}
	search := regexp.MustCompile(`SEARCH\('\{([^}]*)\} MetricName="(\w+)"`)
	for _, w := range doc.Widgets {
		if len(w.Properties.Metrics) == 0 {
			t.Errorf("widget %q shows no metric", w.Properties.Title)
		}
		widgets++
		for _, row := range w.Properties.Metrics {
			if opts, ok := row[0].(map[string]any); ok {
				m := search.FindStringSubmatch(fmt.Sprint(opts["expression"]))
				if m == nil {
					t.Errorf("widget %q: expression %v is not a SEARCH of one metric", w.Properties.Title, opts["expression"])
					continue
				}
				parts := strings.Split(m[1], ",")
				dims := append([]string(nil), parts[1:]...)
				sort.Strings(dims)
				out = append(out, dashboardMetric{parts[0], m[2], dims})
				continue
			}
			var strs []string
			for _, v := range row {
				if s, ok := v.(string); ok {
					strs = append(strs, s)
				}
			}
			if len(strs) < 2 || len(strs)%2 != 0 || strs[0] == "..." || strs[0] == "." {
				t.Errorf("widget %q: row %v is not [namespace, name, dimension, value, …]", w.Properties.Title, row)
				continue
			}
			var dims []string
			for i := 2; i < len(strs); i += 2 {
				dims = append(dims, strs[i])
			}
			sort.Strings(dims)
			out = append(out, dashboardMetric{strs[0], strs[1], dims})
		}
	}
	return widgets, out
}

// TestDashboardShowsOnlyPublishedMetrics ensures every metric of the function's namespace on the dashboard is one the code publishes under that dimension set (emf.Catalog), every AWS metric is one of the few the stack's services publish with the dimension shown, and the dashboard covers sends, latency, round trips, quota, queues, bounces and replays.
func TestDashboardShowsOnlyPublishedMetrics(t *testing.T) {
	published := map[string]bool{}
	for _, p := range emf.Catalog() {
		for _, set := range p.Dimensions {
			dims := append([]string(nil), set...)
			sort.Strings(dims)
			published[dashboardMetric{"OURS", p.Name, dims}.String()] = true
		}
	}
	aws := map[string]bool{
		"AWS/SQS ApproximateNumberOfMessagesVisible {QueueName}": true,
		"AWS/SQS ApproximateAgeOfOldestMessage {QueueName}":      true,
		"AWS/Lambda Errors {FunctionName}":                       true,
		"AWS/Lambda Throttles {FunctionName}":                    true,
		"AWS/Lambda ConcurrentExecutions {FunctionName}":         true,
	}
	widgets, shown := dashboardMetrics(t)
	names := map[string]bool{}
	for _, m := range shown {
		names[m.name] = true
		switch {
		case m.namespace == "OURS":
			if !published[m.String()] {
				t.Errorf("the dashboard shows %s, which the code does not publish", m)
			}
		case !aws[m.String()]:
			t.Errorf("the dashboard shows %s, not a metric of the stack's AWS services this test knows", m)
		}
	}
	for _, want := range []string{emf.MetricSends, emf.MetricDuration, emf.MetricSMTPRoundTrips, "QuotaUsedPercent",
		"ApproximateNumberOfMessagesVisible", emf.MetricBouncesFound, "IdempotentReplays"} {
		if !names[want] {
			t.Errorf("the dashboard does not show %s", want)
		}
	}
	if widgets < 6 {
		t.Errorf("the dashboard has %d widgets", widgets)
	}
	if out := get(load(t), "Outputs", "DashboardUrl", "Value", "Fn::Sub"); !strings.Contains(fmt.Sprint(out), "#dashboards:name=${Dashboard}") {
		t.Errorf("DashboardUrl output: %v", out)
	}
}
