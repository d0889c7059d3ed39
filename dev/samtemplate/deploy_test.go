package samtemplate_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
)

// deployCheck is one property a first deploy on a new account depends on.
// It returns what is wrong with tpl ("" when nothing), given README's text.
type deployCheck func(tpl map[string]any, readme string) string

// triggers are the event sources README may name, with the SAM event type
// that wires each.
var triggers = []struct{ word, eventType string }{
	{"API key", "Api"},
	{"SQS", "SQS"},
	{"EventBridge", "EventBridgeRule"},
	{"SNS", "SNS"},
}

var deployChecks = map[string]deployCheck{
	// A new account has 10 concurrent executions and refuses a reservation
	// that leaves fewer than 10 unreserved, so the default must reserve none.
	"reserved concurrency unset by default": func(tpl map[string]any, _ string) string {
		for id, fn := range ofType(tpl, "AWS::Serverless::Function") {
			v, err := samtemplate.NewResolver(tpl, nil).Value(get(fn, "Properties", "ReservedConcurrentExecutions"))
			if err != nil {
				return err.Error()
			}
			if v != nil && v != samtemplate.NoValue {
				return fmt.Sprintf("%s reserves %v concurrent executions with the default parameters", id, v)
			}
		}
		return ""
	},
	// Without MaximumConcurrency the poller receives batches the function
	// cannot take, and the throttled receives count toward maxReceiveCount.
	"SQS sources bound concurrent batches": func(tpl map[string]any, _ string) string {
		for name, ev := range functionEvents(tpl) {
			if get(ev, "Type") != "SQS" {
				continue
			}
			v, _ := samtemplate.NewResolver(tpl, nil).Value(get(ev, "Properties", "ScalingConfig", "MaximumConcurrency"))
			if n, ok := asInt(v); !ok || n < 2 || n > 1000 {
				return fmt.Sprintf("SQS event %s has no ScalingConfig.MaximumConcurrency (2–1000): %v", name, v)
			}
		}
		return ""
	},
	// AWS advises at least 5 receives for a queue behind Lambda, so a
	// retried temporary failure does not reach the dead-letter queue.
	"maxReceiveCount at least 5": func(tpl map[string]any, _ string) string {
		for id, q := range ofType(tpl, "AWS::SQS::Queue") {
			rp := get(q, "Properties", "RedrivePolicy")
			if rp == nil {
				continue
			}
			if n, ok := asInt(get(rp, "maxReceiveCount")); !ok || n < 5 {
				return fmt.Sprintf("queue %s: maxReceiveCount %v < 5", id, get(rp, "maxReceiveCount"))
			}
		}
		return ""
	},
	// Without OpenApiVersion SAM adds a second stage named "Stage".
	"OpenApiVersion set": func(tpl map[string]any, _ string) string {
		if get(tpl, "Globals", "Api", "OpenApiVersion") != nil {
			return ""
		}
		for id, api := range ofType(tpl, "AWS::Serverless::Api") {
			if get(api, "Properties", "OpenApiVersion") == nil {
				return fmt.Sprintf("API %s has no OpenApiVersion", id)
			}
		}
		return ""
	},
	// What README promises as a way in must exist, and what exists must
	// be documented.
	"README's triggers wired": func(tpl map[string]any, readme string) string {
		wired := map[string]bool{}
		for _, ev := range functionEvents(tpl) {
			wired[fmt.Sprint(get(ev, "Type"))] = true
		}
		var problems []string
		for _, tr := range triggers {
			named := strings.Contains(readme, tr.word)
			switch {
			case named && !wired[tr.eventType]:
				problems = append(problems, fmt.Sprintf("README names %s but no %s event is wired", tr.word, tr.eventType))
			case !named && wired[tr.eventType]:
				problems = append(problems, fmt.Sprintf("a %s event is wired but README never names %s", tr.eventType, tr.word))
			}
		}
		return strings.Join(problems, "; ")
	},
	// Failed asynchronous events must land where start-message-move-task
	// can move them back: the dead-letter queue of the function's own
	// SQS source (the handler resends destination records arriving there).
	"async failures redrivable": func(tpl map[string]any, _ string) string {
		fn := resources(tpl)["GmailSendFunction"]
		onFailure := get(fn, "Properties", "EventInvokeConfig", "DestinationConfig", "OnFailure")
		if get(onFailure, "Type") != "SQS" {
			return fmt.Sprintf("asynchronous failures go to %v, not an SQS queue", get(onFailure, "Type"))
		}
		dest := getAttResource(get(onFailure, "Destination"))
		for _, ev := range functionEvents(tpl) {
			if get(ev, "Type") != "SQS" {
				continue
			}
			q := resources(tpl)[getAttResource(get(ev, "Properties", "Queue"))]
			if getAttResource(get(q, "Properties", "RedrivePolicy", "deadLetterTargetArn")) == dest && dest != "" {
				return ""
			}
		}
		return fmt.Sprintf("asynchronous failures go to %q, which is not the dead-letter queue of the function's SQS source, so a redrive cannot bring them back", dest)
	},
	// A user needs every way in and the redrive ends, plus the command
	// that prints the API key's value.
	"outputs a user needs": func(tpl map[string]any, _ string) string {
		outputs, _ := tpl["Outputs"].(map[string]any)
		var missing []string
		for _, name := range []string{"SendEndpoint", "ApiKeyId", "ApiKeyValueCommand", "SendQueueUrl", "SendQueueArn",
			"DeadLetterQueueUrl", "DeadLetterQueueArn", "RedriveCommand", "SendTopicArn", "FunctionName", "LogGroupName"} {
			if outputs[name] == nil {
				missing = append(missing, name)
			}
		}
		cmd := fmt.Sprint(get(outputs, "ApiKeyValueCommand", "Value", "Fn::Sub"))
		if !strings.Contains(cmd, "get-api-key") || !strings.Contains(cmd, "--include-value") {
			missing = append(missing, "ApiKeyValueCommand printing the value")
		}
		if len(missing) > 0 {
			return "outputs missing: " + strings.Join(missing, ", ")
		}
		return ""
	},
}

// TestTemplateDeploysOnNewAccount ensures each deploy check holds for template.yaml and README.
func TestTemplateDeploysOnNewAccount(t *testing.T) {
	tpl, doc := load(t), readmeText(t)
	for name, check := range deployChecks {
		if problem := check(tpl, doc); problem != "" {
			t.Errorf("%s: %s", name, problem)
		}
	}
}

// TestDeployChecksCatchRegressions ensures each deploy check fails on a template that regressed on its point.
func TestDeployChecksCatchRegressions(t *testing.T) {
	breakers := map[string]func(tpl map[string]any, readme *string){
		"reserved concurrency unset by default": func(tpl map[string]any, _ *string) {
			get(tpl, "Parameters", "ReservedConcurrency").(map[string]any)["Default"] = int64(5)
		},
		"SQS sources bound concurrent batches": func(tpl map[string]any, _ *string) {
			delete(get(tpl, "Resources", "GmailSendFunction", "Properties", "Events", "SendQueue", "Properties").(map[string]any), "ScalingConfig")
		},
		"maxReceiveCount at least 5": func(tpl map[string]any, _ *string) {
			get(tpl, "Resources", "SendQueue", "Properties", "RedrivePolicy").(map[string]any)["maxReceiveCount"] = int64(3)
		},
		"OpenApiVersion set": func(tpl map[string]any, _ *string) {
			delete(get(tpl, "Resources", "GmailSendApi", "Properties").(map[string]any), "OpenApiVersion")
		},
		"README's triggers wired": func(tpl map[string]any, _ *string) {
			delete(get(tpl, "Resources", "GmailSendFunction", "Properties", "Events").(map[string]any), "SendTopic")
		},
		"async failures redrivable": func(tpl map[string]any, _ *string) {
			resources(tpl)["AsyncFailures"] = map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{}}
			get(tpl, "Resources", "GmailSendFunction", "Properties", "EventInvokeConfig", "DestinationConfig", "OnFailure").(map[string]any)["Destination"] =
				map[string]any{"Fn::GetAtt": []any{"AsyncFailures", "Arn"}}
		},
		"outputs a user needs": func(tpl map[string]any, _ *string) {
			delete(tpl["Outputs"].(map[string]any), "ApiKeyValueCommand")
		},
	}
	for name, check := range deployChecks {
		breakIt, ok := breakers[name]
		if !ok {
			t.Errorf("%s: no breaker proves this check can fail", name)
			continue
		}
		tpl, doc := load(t), readmeText(t)
		breakIt(tpl, &doc)
		if problem := check(tpl, doc); problem == "" {
			t.Errorf("%s: passed on a broken template", name)
		}
	}
	// The trigger check also reads README.md: a README that stops naming a
	// wired trigger fails it.
	doc := strings.ReplaceAll(readmeText(t), "SNS", "S-N-S")
	if deployChecks["README's triggers wired"](load(t), doc) == "" {
		t.Error("a wired SNS trigger that README never names passed")
	}
}

// TestReservedConcurrencyIsAChoice ensures a user who sets ReservedConcurrency gets exactly that reservation.
func TestReservedConcurrencyIsAChoice(t *testing.T) {
	tpl := load(t)
	fn := resources(tpl)["GmailSendFunction"]
	v, err := samtemplate.NewResolver(tpl, map[string]any{"ReservedConcurrency": "20"}).Value(get(fn, "Properties", "ReservedConcurrentExecutions"))
	if err != nil || fmt.Sprint(v) != "20" {
		t.Fatalf("ReservedConcurrency=20 gives %v (%v)", v, err)
	}
}

// readmeText is README.md: the page a newcomer reads first, so the ways in
// it names are the ones the stack must wire.
func readmeText(t *testing.T) string {
	t.Helper()
	return fixture.Doc(t, "README.md")
}

func functionEvents(tpl map[string]any) map[string]any {
	out := map[string]any{}
	for _, fn := range ofType(tpl, "AWS::Serverless::Function") {
		if evs, ok := get(fn, "Properties", "Events").(map[string]any); ok {
			for k, v := range evs {
				out[k] = v
			}
		}
	}
	return out
}

// getAttResource is the resource of {"Fn::GetAtt": [resource, attr]}.
func getAttResource(v any) string {
	if ga, ok := get(v, "Fn::GetAtt").([]any); ok && len(ga) == 2 {
		return fmt.Sprint(ga[0])
	}
	return ""
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case string:
		var n int64
		_, err := fmt.Sscan(x, &n)
		return n, err == nil
	}
	return 0, false
}
