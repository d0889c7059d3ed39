package samtemplate_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/emf"
)

// deadLetterQueues finds every SQS queue of the template used as a
// dead-letter queue or failure destination: any GetAtt Queue.Arn found
// under a key that says so (RedrivePolicy.deadLetterTargetArn, a
// DeadLetterConfig or DeadLetterQueue, an OnFailure destination).
func deadLetterQueues(tpl map[string]any) []string {
	queues := ofType(tpl, "AWS::SQS::Queue")
	found := map[string]bool{}
	deadLetterKey := regexp.MustCompile(`(?i)dead.?letter|onfailure`)
	var walk func(v any, underDLQ bool)
	walk = func(v any, underDLQ bool) {
		switch x := v.(type) {
		case map[string]any:
			if ga, ok := x["Fn::GetAtt"].([]any); ok && underDLQ && len(ga) == 2 && ga[1] == "Arn" {
				if id, _ := ga[0].(string); queues[id] != nil {
					found[id] = true
				}
			}
			for k, c := range x {
				walk(c, underDLQ || deadLetterKey.MatchString(k))
			}
		case []any:
			for _, c := range x {
				walk(c, underDLQ)
			}
		}
	}
	walk(resources(tpl), false)
	var out []string
	for id := range found {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// TestEveryDeadLetterQueueHasAnAlarm ensures a message arriving in any dead-letter queue or failure destination raises an alarm.
func TestEveryDeadLetterQueueHasAnAlarm(t *testing.T) {
	tpl := load(t)
	dlqs := deadLetterQueues(tpl)
	if len(dlqs) == 0 {
		t.Fatal("found no dead-letter queue: the finder is broken")
	}
	for _, q := range dlqs {
		watched := false
		for _, a := range ofType(tpl, "AWS::CloudWatch::Alarm") {
			p := a["Properties"]
			if get(p, "Namespace") != "AWS/SQS" || get(p, "MetricName") != "ApproximateNumberOfMessagesVisible" {
				continue
			}
			dims, _ := get(p, "Dimensions").([]any)
			for _, d := range dims {
				if get(d, "Name") == "QueueName" && fmt.Sprint(get(d, "Value", "Fn::GetAtt")) == fmt.Sprint([]any{q, "QueueName"}) {
					watched = true
				}
			}
		}
		if !watched {
			t.Errorf("dead-letter queue %s has no ApproximateNumberOfMessagesVisible alarm", q)
		}
	}
}

// TestEveryAlarmNotifiesTheTopic ensures each alarm has actions, and each action is an SNS topic of this template.
func TestEveryAlarmNotifiesTheTopic(t *testing.T) {
	tpl := load(t)
	topics := ofType(tpl, "AWS::SNS::Topic")
	alarms := ofType(tpl, "AWS::CloudWatch::Alarm")
	if len(alarms) < 6 {
		t.Fatalf("%d alarms", len(alarms))
	}
	for id, a := range alarms {
		actions, _ := get(a, "Properties", "AlarmActions").([]any)
		if len(actions) == 0 {
			t.Errorf("%s has no AlarmActions", id)
		}
		for _, act := range actions {
			if ref, _ := get(act, "Ref").(string); topics[ref] == nil {
				t.Errorf("%s: action %v is not a topic of this template", id, act)
			}
		}
	}
	sub := resources(tpl)["AlarmEmailSubscription"]
	if get(sub, "Condition") != "HasAlarmEmail" || get(sub, "Properties", "Protocol") != "email" ||
		fmt.Sprint(get(sub, "Properties", "Endpoint")) != fmt.Sprint(map[string]any{"Ref": "AlarmEmail"}) {
		t.Errorf("the e-mail subscription must exist only when AlarmEmail is set: %v", sub)
	}
	if get(tpl, "Parameters", "AlarmEmail", "Default") != "" {
		t.Error("AlarmEmail must default to empty (no subscription)")
	}
}

// TestAlarmThresholdsAreParameters ensures every threshold is a parameter with a default, and metric-math expressions hold no number of their own but 0 and 100.
func TestAlarmThresholdsAreParameters(t *testing.T) {
	tpl := load(t)
	params, _ := tpl["Parameters"].(map[string]any)
	number := regexp.MustCompile(`\b\d+(\.\d+)?\b`)
	for id, a := range ofType(tpl, "AWS::CloudWatch::Alarm") {
		ref, _ := get(a, "Properties", "Threshold", "Ref").(string)
		if ref == "" || get(params, ref, "Default") == nil {
			t.Errorf("%s: Threshold is not a parameter with a default: %v", id, get(a, "Properties", "Threshold"))
		}
		qs, _ := get(a, "Properties", "Metrics").([]any)
		for _, q := range qs {
			expr := fmt.Sprint(get(q, "Expression"))
			if sub, ok := get(q, "Expression", "Fn::Sub").(string); ok {
				expr = sub
			}
			for _, n := range number.FindAllString(regexp.MustCompile(`\$\{[^}]*\}`).ReplaceAllString(expr, ""), -1) {
				if n != "0" && n != "100" {
					t.Errorf("%s: expression %q holds the number %s: make it a parameter", id, expr, n)
				}
			}
		}
	}
}

// TestAlarmsWatchPublishedMetrics ensures each alarm on the function's namespace watches a metric the code publishes, under a dimension set it publishes it with.
func TestAlarmsWatchPublishedMetrics(t *testing.T) {
	published := map[string]bool{}
	for _, p := range emf.Catalog() {
		for _, set := range p.Dimensions {
			sorted := append([]string(nil), set...)
			sort.Strings(sorted)
			published[p.Name+"|"+strings.Join(sorted, ",")] = true
		}
	}
	ours := fmt.Sprint(map[string]any{"Ref": "MetricsNamespace"})
	check := func(id string, m any) {
		if fmt.Sprint(get(m, "Namespace")) != ours {
			return
		}
		var names []string
		dims, _ := get(m, "Dimensions").([]any)
		for _, d := range dims {
			names = append(names, fmt.Sprint(get(d, "Name")))
		}
		sort.Strings(names)
		if key := fmt.Sprint(get(m, "MetricName")) + "|" + strings.Join(names, ","); !published[key] {
			t.Errorf("%s watches %s, which the code does not publish", id, key)
		}
	}
	tpl := load(t)
	watching := 0
	for id, a := range ofType(tpl, "AWS::CloudWatch::Alarm") {
		p := a["Properties"]
		check(id, p)
		qs, _ := get(p, "Metrics").([]any)
		for _, q := range qs {
			if m := get(q, "MetricStat", "Metric"); m != nil {
				check(id, m)
			}
		}
		if strings.Contains(fmt.Sprint(p), "MetricsNamespace") {
			watching++
		}
	}
	if watching < 3 {
		t.Fatalf("only %d alarms watch the function's own metrics", watching)
	}
	if fmt.Sprint(get(resources(tpl)["GmailSendFunction"], "Properties", "Environment", "Variables", "METRICS_NAMESPACE")) != ours {
		t.Error("the function's METRICS_NAMESPACE must be the MetricsNamespace parameter")
	}
	if get(tpl, "Parameters", "MetricsNamespace", "Default") != emf.DefaultNamespace {
		t.Error("MetricsNamespace's default must be the function's default namespace")
	}
}

// TestMetricLinesSurviveLogFiltering ensures every function publishing metrics logs JSON and keeps INFO lines: Lambda's log-level filtering reads a metric line (no "level") as INFO, so a higher ApplicationLogLevel would drop every metric.
func TestMetricLinesSurviveLogFiltering(t *testing.T) {
	n := 0
	for id, f := range ofType(load(t), "AWS::Serverless::Function") {
		if get(f, "Properties", "Environment", "Variables", "METRICS_NAMESPACE") == nil {
			continue
		}
		n++
		if get(f, "Properties", "LoggingConfig", "LogFormat") != "JSON" {
			t.Errorf("%s: LogFormat must be JSON", id)
		}
		switch lvl := get(f, "Properties", "LoggingConfig", "ApplicationLogLevel"); lvl {
		case nil, "TRACE", "DEBUG", "INFO":
		default:
			t.Errorf("%s: ApplicationLogLevel %v would drop the metric lines", id, lvl)
		}
	}
	if n == 0 {
		t.Fatal("no function publishes metrics")
	}
}
