package samtemplate_test

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/samtemplate"
	"github.com/gmailsend/gmailsend/internal/awsscheduler"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// functionStatements are the function's inline policy statements.
func functionStatements(tpl map[string]any) []any {
	var out []any
	policies, _ := get(resources(tpl)["GmailSendFunction"], "Properties", "Policies").([]any)
	for _, p := range policies {
		stmts, _ := get(p, "Statement").([]any)
		out = append(out, stmts...)
	}
	return out
}

// TestSchedulerRoleOnlySendsToTheQueue ensures the role schedules act as can be assumed only by EventBridge Scheduler of this account and may only sqs:SendMessage to the send queue (and, with a customer managed key, use that key).
func TestSchedulerRoleOnlySendsToTheQueue(t *testing.T) {
	tpl := load(t)
	role := resources(tpl)["SchedulerRole"]
	if get(role, "Type") != "AWS::IAM::Role" {
		t.Fatal("no SchedulerRole")
	}
	trust, _ := get(role, "Properties", "AssumeRolePolicyDocument", "Statement").([]any)
	if len(trust) != 1 || get(trust[0], "Principal", "Service") != "scheduler.amazonaws.com" ||
		get(trust[0], "Condition", "StringEquals", "aws:SourceAccount") == nil {
		t.Fatalf("trust policy %v", trust)
	}
	queue := samtemplate.ARN("AWS::SQS::Queue", "SendQueue")
	for _, key := range []string{"", testKey} {
		stmts, err := samtemplate.NewResolver(tpl, map[string]any{"KmsKeyArn": key}).RoleStatements("SchedulerRole")
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if key != "" {
			want = 2
		}
		if len(stmts) != want || fmt.Sprint(stmts[0].Actions, stmts[0].Resources) != fmt.Sprint([]string{"sqs:SendMessage"}, []string{queue}) {
			t.Fatalf("KmsKeyArn %q: scheduler role may do %+v; want only sqs:SendMessage on SendQueue", key, stmts)
		}
		if key != "" && fmt.Sprint(stmts[1].Actions, stmts[1].Resources) != fmt.Sprint([]string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{key}) {
			t.Fatalf("scheduler role's use of the key: %+v", stmts[1])
		}
	}
}

// TestFunctionQueueAndSchedulerPermissions ensures the function may send only to the send queue (and the dead-letter and webhook queues), call exactly the Scheduler operations internal/awsscheduler makes and only on its group's schedules, and pass only the scheduler role, only to Scheduler.
func TestFunctionQueueAndSchedulerPermissions(t *testing.T) {
	api := reflect.TypeOf((*awsscheduler.API)(nil)).Elem()
	var want []string
	for i := 0; i < api.NumMethod(); i++ {
		want = append(want, "scheduler:"+api.Method(i).Name)
	}
	sort.Strings(want)
	var sched []string
	seen := map[string]bool{}
	for _, st := range functionStatements(load(t)) {
		for _, a := range asStrings(get(st, "Action")) {
			switch {
			case strings.HasPrefix(a, "sqs:"):
				// ChangeMessageVisibility: the quota guard postpones refused records (STORE);
				// SendMessage to the dead-letter queue parks records without their secrets;
				// SendMessage to the webhook queue is POST /webhooks/{id}/test.
				q := getAttResource(get(st, "Resource"))
				sendOnly := (q == "DeadLetterQueue" || q == "WebhookQueue") && a == "sqs:SendMessage"
				if a != "sqs:SendMessage" && a != "sqs:ChangeMessageVisibility" || q != "SendQueue" && !sendOnly {
					t.Errorf("function may %s on %v; want only sqs:SendMessage and sqs:ChangeMessageVisibility on SendQueue, sqs:SendMessage on DeadLetterQueue and WebhookQueue", a, get(st, "Resource"))
				}
				seen["sqs"] = true
			case strings.HasPrefix(a, "scheduler:"):
				sched = append(sched, a)
				sub, _ := get(st, "Resource", "Fn::Sub").(string)
				if !strings.HasSuffix(sub, ":schedule/${SendScheduleGroup}/*") {
					t.Errorf("%s on %v; want only the group's schedules", a, get(st, "Resource"))
				}
			case a == "iam:PassRole":
				seen["pass"] = true
				if getAttResource(get(st, "Resource")) != "SchedulerRole" ||
					get(st, "Condition", "StringEquals", "iam:PassedToService") != "scheduler.amazonaws.com" {
					t.Errorf("iam:PassRole on %v; want only SchedulerRole, passed to Scheduler", get(st, "Resource"))
				}
			case strings.Contains(a, "*"):
				t.Errorf("wildcard action %s", a)
			}
		}
	}
	sort.Strings(sched)
	if fmt.Sprint(sched) != fmt.Sprint(want) || !seen["sqs"] || !seen["pass"] {
		t.Fatalf("scheduler actions %v (the code calls %v), sqs %v, PassRole %v", sched, want, seen["sqs"], seen["pass"])
	}
}

// TestQueueSettingsReachTheFunction ensures the function's queue variables point at this stack's queue, group and role, and MAX_QUEUED_MESSAGE_BYTES equals the queue's MaximumMessageSize (and the code's default).
func TestQueueSettingsReachTheFunction(t *testing.T) {
	tpl := load(t)
	env, _ := get(resources(tpl)["GmailSendFunction"], "Properties", "Environment", "Variables").(map[string]any)
	if get(env["SEND_QUEUE_URL"], "Ref") != "SendQueue" || getAttResource(env["SEND_QUEUE_ARN"]) != "SendQueue" ||
		get(env["SCHEDULE_GROUP"], "Ref") != "SendScheduleGroup" || getAttResource(env["SCHEDULER_ROLE_ARN"]) != "SchedulerRole" {
		t.Fatalf("queue variables %v %v %v %v", env["SEND_QUEUE_URL"], env["SEND_QUEUE_ARN"], env["SCHEDULE_GROUP"], env["SCHEDULER_ROLE_ARN"])
	}
	limit, ok1 := asInt(env["MAX_QUEUED_MESSAGE_BYTES"])
	size, ok2 := asInt(get(resources(tpl)["SendQueue"], "Properties", "MaximumMessageSize"))
	if !ok1 || !ok2 || limit != size || int(size) != sender.DefaultQueueing().MaxQueuedBytes {
		t.Fatalf("MAX_QUEUED_MESSAGE_BYTES %v, SendQueue MaximumMessageSize %v, code default %d", env["MAX_QUEUED_MESSAGE_BYTES"],
			get(resources(tpl)["SendQueue"], "Properties", "MaximumMessageSize"), sender.DefaultQueueing().MaxQueuedBytes)
	}
	if get(resources(tpl)["SendScheduleGroup"], "Type") != "AWS::Scheduler::ScheduleGroup" {
		t.Fatal("no schedule group")
	}
	// Records with an inline password are parked on the last receive: the
	// function must know which receive that is, and where to park.
	receives, ok1 := asInt(env["SEND_QUEUE_MAX_RECEIVES"])
	maxReceive, ok2 := asInt(get(resources(tpl)["SendQueue"], "Properties", "RedrivePolicy", "maxReceiveCount"))
	if !ok1 || !ok2 || receives != maxReceive || get(env["DEAD_LETTER_QUEUE_URL"], "Ref") != "DeadLetterQueue" {
		t.Fatalf("SEND_QUEUE_MAX_RECEIVES %v (maxReceiveCount %v), DEAD_LETTER_QUEUE_URL %v", env["SEND_QUEUE_MAX_RECEIVES"],
			get(resources(tpl)["SendQueue"], "Properties", "RedrivePolicy", "maxReceiveCount"), env["DEAD_LETTER_QUEUE_URL"])
	}
}
