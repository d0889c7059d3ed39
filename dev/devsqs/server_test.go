package devsqs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

func start(t *testing.T, opts QueueOptions) (*Server, *sqs.Client, string) {
	t.Helper()
	s := Start()
	t.Cleanup(s.Close)
	return s, s.Client(), s.CreateQueue("send", opts)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The real SDK client sends, receives and deletes a message (its MD5
// checks pass), and GetQueueUrl/GetQueueAttributes answer.
func TestSendReceiveDeleteWithSDK(t *testing.T) {
	_, c, url := start(t, QueueOptions{})
	ctx := ctxT(t)
	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("send")})
	if err != nil || aws.ToString(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %v, %v; want %s", got, err, url)
	}
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"하나":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	rcv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(rcv.Messages) != 1 || aws.ToString(rcv.Messages[0].Body) != `{"하나":1}` || aws.ToString(rcv.Messages[0].MessageId) != aws.ToString(sent.MessageId) {
		t.Fatalf("received %+v", rcv.Messages)
	}
	if rcv.Messages[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("attributes %v", rcv.Messages[0].Attributes)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: rcv.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("queue not empty after delete: %v", attrs.Attributes)
	}
}

// SendMessageBatch stores every entry, and an injected per-entry failure
// comes back in Failed with its id while the rest succeed.
func TestSendMessageBatchPartialFailure(t *testing.T) {
	s, c, url := start(t, QueueOptions{})
	s.FailBatchEntries(func(id, body string) bool { return id == "e3" })
	var entries []types.SendMessageBatchRequestEntry
	for i := range 10 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("e%d", i)), MessageBody: aws.String(fmt.Sprintf("body %d", i))})
	}
	out, err := c.SendMessageBatch(ctxT(t), &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 9 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "e3" {
		t.Fatalf("successful %d, failed %+v", len(out.Successful), out.Failed)
	}
	if n := len(s.Messages("send")); n != 9 {
		t.Fatalf("queue holds %d messages, want 9", n)
	}
	if s.Calls("SendMessageBatch") != 1 {
		t.Fatalf("calls = %d", s.Calls("SendMessageBatch"))
	}
}

// A body over the queue's MaximumMessageSize and an unknown queue are
// refused with SQS's error codes, which the SDK surfaces.
func TestErrors(t *testing.T) {
	_, c, url := start(t, QueueOptions{MaxMessageBytes: 10})
	_, err := c.SendMessage(ctxT(t), &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(strings.Repeat("x", 11))})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Fatalf("oversize: %v", err)
	}
	_, err = c.SendMessage(ctxT(t), &sqs.SendMessageInput{QueueUrl: aws.String(strings.TrimSuffix(url, "send") + "nope"), MessageBody: aws.String("x")})
	var missing *types.QueueDoesNotExist
	if !errors.As(err, &missing) {
		t.Fatalf("unknown queue: %v", err)
	}
}

// A received message stays hidden for its visibility timeout, comes back
// after it, and ChangeMessageVisibility(0) returns it at once.
func TestVisibilityTimeout(t *testing.T) {
	_, c, url := start(t, QueueOptions{VisibilityTimeout: 300 * time.Millisecond})
	ctx := ctxT(t)
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	first, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
	if err != nil || len(first.Messages) != 1 {
		t.Fatalf("first receive: %v %v", first, err)
	}
	again, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
	if len(again.Messages) != 0 {
		t.Fatal("message visible during its visibility timeout")
	}
	// A long poll sleeps until the message is visible again.
	start := time.Now()
	back, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 2})
	if err != nil || len(back.Messages) != 1 || back.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after timeout: %+v %v", back, err)
	}
	if waited := time.Since(start); waited > 1500*time.Millisecond {
		t.Fatalf("long poll returned after %v, want about the remaining visibility", waited)
	}
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: back.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	now, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
	if len(now.Messages) != 1 {
		t.Fatal("ChangeMessageVisibility(0) did not make the message visible")
	}
}
