package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

// TestQueueRecordOverQuotaIsPostponed ensures an SQS record the quota guard refuses is reported failed and held invisible past the queue's visibility timeout (ChangeMessageVisibility), not lost and not sent.
func TestQueueRecordOverQuotaIsPostponed(t *testing.T) {
	sqsSrv := devsqs.Start()
	t.Cleanup(sqsSrv.Close)
	client := sqsSrv.Client()
	h := newHarness(t, setup{Store: true,
		Config: func(c *app.Config) { c.DailyMessageLimit = 1 },
		Parts:  func(p *app.Parts) { p.SQSVisibility = client }})
	url := sqsSrv.CreateQueue("send", devsqs.QueueOptions{VisibilityTimeout: time.Second})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		body := storeRequest(fixture.User, "kim@example.com", nil)
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if err != nil || len(got.Messages) != 2 {
		t.Fatalf("receive: %v %v", got, err)
	}
	var ev events.SQSEvent
	for _, m := range got.Messages {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
			Body: aws.ToString(m.Body), EventSource: "aws:sqs", EventSourceARN: devsqs.QueueARN("send"), AWSRegion: devsqs.Region})
	}
	payload, _ := json.Marshal(ev)
	out, err := h.invoke(t, payload)
	if err != nil {
		t.Fatal(err)
	}
	resp := out.(events.SQSEventResponse)
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[1].MessageId {
		t.Fatalf("failures %+v", resp.BatchItemFailures)
	}
	if n := len(h.srv.Messages()); n != 1 {
		t.Fatalf("%d delivered, want 1", n)
	}
	if n := sqsSrv.Calls("ChangeMessageVisibility"); n != 1 {
		t.Fatalf("%d ChangeMessageVisibility calls, want 1", n)
	}
	// Lambda deletes the records not reported as failed.
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String(ev.Records[0].ReceiptHandle)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // past the queue's own 1 s visibility timeout
	again, _ := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if len(again.Messages) != 0 {
		t.Fatalf("%d records visible again before the quota allows", len(again.Messages))
	}
}
