package sqsqueue_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
)

// TestQueueURLFromARN ensures an eventSourceARN gives the queue's URL and anything else is refused.
func TestQueueURLFromARN(t *testing.T) {
	url, err := sqsqueue.QueueURL("arn:aws:sqs:eu-west-1:123456789012:send")
	if err != nil || url != "https://sqs.eu-west-1.amazonaws.com/123456789012/send" {
		t.Fatalf("%s %v", url, err)
	}
	for _, bad := range []string{"", "arn:aws:sns:eu-west-1:1:t", "arn:aws:sqs:eu-west-1:1"} {
		if _, err := sqsqueue.QueueURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestPostponeKeepsTheRecordInvisible ensures Postpone (real SDK, local SQS endpoint) hides a received record past its visibility timeout, and it comes back after the postponement.
func TestPostponeKeepsTheRecordInvisible(t *testing.T) {
	srv := devsqs.Start()
	defer srv.Close()
	client := srv.Client()
	url := srv.CreateQueue("send", devsqs.QueueOptions{VisibilityTimeout: time.Second})
	ctx := context.Background()
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("{}")}); err != nil {
		t.Fatal(err)
	}
	got, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("receive %v %v", got, err)
	}
	v := sqsqueue.NewVisibilityWithAPI(client)
	if err := v.Postpone(ctx, devsqs.QueueARN("send"), aws.ToString(got.Messages[0].ReceiptHandle), 2500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // past the queue's 1 s visibility timeout
	if again, _ := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}); len(again.Messages) != 0 {
		t.Fatal("the postponed record came back early")
	}
	time.Sleep(1500 * time.Millisecond)
	if again, _ := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}); len(again.Messages) != 1 {
		t.Fatal("the postponed record did not come back")
	}
}
