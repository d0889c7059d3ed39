package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// TestBatchRedeliveredAfterCrashSendsEachAtMostOnce ensures an SQS batch redelivered after the real bootstrap was killed mid-batch sends only the records not yet sent (the sent ones answer success); the record whose send was cut after its "content may be at the server" mark is, once the crashed claim's lease ends, settled unknown and never sent again (at most once), and the batch is not redelivered for it.
func TestBatchRedeliveredAfterCrashSendsEachAtMostOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap binary")
	}
	client, endpoint := dynalite.StartTable(t, "messages")
	root := fixture.ModuleRoot(t)
	dir := t.TempDir()
	bootstrap, err := devstack.BuildBootstrap(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	// The third MAIL of the whole test stalls until the test ends: the
	// process is killed while it waits.
	var mails atomic.Int32
	stall := make(chan struct{})
	defer close(stall)
	st, err := devstack.Start(devstack.Options{Dir: dir, Mail: func(o *devsmtp.Options) {
		o.Reject = func(stage, arg string) error {
			if stage == "MAIL" && mails.Add(1) == 3 {
				<-stall
			}
			return nil
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	env := append(st.Env(), "MESSAGES_TABLE=messages", "AWS_ENDPOINT_URL_DYNAMODB="+endpoint, "BATCH_RESERVE=500ms")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const timeout = 4 * time.Second // the function's timeout: the lease is this plus 5 s
	logs := new(fixture.SyncBuffer)
	start := func() *runtimeapi.Function {
		fn, err := runtimeapi.StartFunction(ctx, bootstrap, env, logs, logs)
		if err != nil {
			t.Fatal(err)
		}
		return fn
	}
	var bodies []string
	for i := 0; i < 4; i++ {
		bodies = append(bodies, fixture.SendRequest(fixture.User, "kim@example.com", fmt.Sprintf("record %d", i)))
	}
	batch := fixture.SQSEvent(t, bodies...)

	// 1. The first delivery: two records sent, the third stalls, kill.
	fn := start()
	firstInvoke := time.Now()
	go func() { _, _ = fn.Invoke(ctx, batch, timeout) }()
	for mails.Load() < 3 {
		if time.Since(firstInvoke) > 10*time.Second {
			t.Fatalf("the batch did not reach its third record; logs:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The mark overlaps the envelope: wait until it is durable, so the
	// crash is one after it (the case this test is about) however slow the
	// machine; a crash before it is another case (taken over and sent,
	// TestCrashAroundEnqueueLosesNothing and the campaign cover it).
	for !markedSending(t, client) {
		if time.Since(firstInvoke) > 10*time.Second {
			t.Fatalf("the third record's mark never landed; logs:\n%s", logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	fn.Kill()
	if n := len(st.SMTP.Messages()); n != 2 {
		t.Fatalf("%d delivered before the crash, want 2", n)
	}

	// 2. SQS delivers the batch again at once (a new process): the two sent
	// records succeed without sending, the stalled one is still claimed,
	// the fourth is sent.
	fn = start()
	defer fn.Stop()
	if got := failures(t, fn, ctx, batch, timeout); strings.Join(got, ",") != "msg-2" {
		t.Fatalf("second delivery reported %v, want [msg-2]; logs:\n%s", got, logs)
	}
	if got := subjects(t, st.SMTP.Messages()); got != "record 0,record 1,record 3" {
		t.Fatalf("delivered %s", got)
	}

	// 3. After the crashed claim's lease: the stalled record was marked
	// (the mark overlaps the envelope, and the process died in MAIL), so
	// whether its content reached the server is unknown to a new process:
	// it is settled unknown, not sent, and not left for SQS to retry.
	time.Sleep(time.Until(firstInvoke.Add(timeout + 6*time.Second)))
	if got := failures(t, fn, ctx, batch, timeout); len(got) != 0 {
		t.Fatalf("third delivery reported %v; logs:\n%s", got, logs)
	}
	if got := subjects(t, st.SMTP.Messages()); got != "record 0,record 1,record 3" {
		t.Fatalf("delivered %s, want each record at most once and the crashed one not again", got)
	}
	if got := dynalite.Statuses(t, client, "messages"); got["sent"] != 3 || got["unknown"] != 1 {
		t.Fatalf("record statuses %v, want 3 sent and the crashed one unknown", got)
	}
	// What the real function wrote holds no password, subject, body or address.
	if n := dynalite.CheckNoSecrets(t, client, "messages", []string{fixture.Password, "record ", "<p>", "kim@", "example.com"}); n < 4 {
		t.Fatalf("%d items in the table, want a record per message at least", n)
	}
}

// markedSending reports whether a record of the table is sending with its
// "content may be at the server" mark.
func markedSending(t *testing.T, client *dynamodb.Client) bool {
	t.Helper()
	out, err := client.Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String("messages")})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range out.Items {
		if _, marked := item["contentAt"]; marked && dynalite.AttrText(item["status"]) == "sending" {
			return true
		}
	}
	return false
}

func failures(t *testing.T, fn *runtimeapi.Function, ctx context.Context, batch []byte, timeout time.Duration) []string {
	t.Helper()
	res, err := fn.Invoke(ctx, batch, timeout)
	if err != nil || res.Err != nil {
		t.Fatalf("invoke: %v %v", err, res.Err)
	}
	var r struct {
		BatchItemFailures []struct{ ItemIdentifier string } `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(res.Payload, &r); err != nil {
		t.Fatalf("response %s", res.Payload)
	}
	var ids []string
	for _, f := range r.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func subjects(t *testing.T, msgs []devsmtp.Message) string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		s, err := devstack.Summarize(m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s.Subject)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
