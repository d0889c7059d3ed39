package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestQueueingStandIns ensures the local table, queue and scheduler start, the environment names all three with the function's queue settings, and Consume hands a queued message to the function as an SQS event.
func TestQueueingStandIns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q, err := StartQueueing(ctx, fixture.ModuleRoot(t), nil)
	if errors.Is(err, dynalite.ErrUnavailable) && os.Getenv("CI") == "" {
		t.Skipf("dynalite unavailable: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	env := strings.Join(q.Env(), "\n")
	for _, name := range []string{"AWS_ENDPOINT_URL_DYNAMODB=", "AWS_ENDPOINT_URL_SQS=" + q.SQS.URL, "AWS_ENDPOINT_URL_SCHEDULER=" + q.Scheduler.URL,
		"MESSAGES_TABLE=messages", "SEND_QUEUE_URL=" + q.SQS.QueueURL(LocalQueue), "SEND_QUEUE_ARN=", "SCHEDULE_GROUP=", "SCHEDULER_ROLE_ARN="} {
		if !strings.Contains(env, name) {
			t.Errorf("environment lacks %s", name)
		}
	}
	if _, err := q.SQS.Client().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.SQS.QueueURL(LocalQueue)), MessageBody: aws.String("hello")}); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	go q.Consume(cctx, func(_ context.Context, p []byte) (json.RawMessage, error) {
		var ev events.SQSEvent
		_ = json.Unmarshal(p, &ev)
		got <- ev.Records[0].Body
		return json.RawMessage(`{"batchItemFailures":[]}`), nil
	})
	select {
	case b := <-got:
		if b != "hello" {
			t.Fatalf("delivered %q", b)
		}
	case <-ctx.Done():
		t.Fatal("not delivered")
	}
}
