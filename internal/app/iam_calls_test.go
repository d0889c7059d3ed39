package app_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/iamcheck"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
	"github.com/gmailsend/gmailsend/internal/bounceapp"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
)

// calls and recordingTable record the calls the functions' real code
// makes (dev/iamcheck); checkAllowed holds them to template.yaml.
type (
	calls          = iamcheck.Calls
	recordingTable = iamcheck.Table
)

// recordingSecrets is the secret store, recording.
type recordingSecrets struct {
	credential.SecretFetcher
	calls *calls
}

func (r recordingSecrets) FetchSecret(ctx context.Context, id string) ([]byte, error) {
	r.calls.Add("secretsmanager:GetSecretValue", fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-Xy12Ab", samtemplate.Region, samtemplate.AccountID, id))
	return r.SecretFetcher.FetchSecret(ctx, id)
}

// recordingQueues is the SQS client, recording (queues by the template's names).
type recordingQueues struct {
	sqsqueue.BatchAPI
	calls *calls
}

func (r recordingQueues) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, o ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	queue := map[string]string{"send": "SendQueue", "dlq": "DeadLetterQueue", "webhooks": "WebhookQueue"}[aws.ToString(in.QueueUrl)[strings.LastIndex(aws.ToString(in.QueueUrl), "/")+1:]]
	r.calls.Add("sqs:SendMessage", samtemplate.ARN("AWS::SQS::Queue", queue))
	return r.BatchAPI.SendMessageBatch(ctx, in, o...)
}

func checkAllowed(t *testing.T, function string, params map[string]any, got []samtemplate.Request, expected ...string) {
	t.Helper()
	iamcheck.Check(t, function, params, got, expected...)
}

// TestBounceReaderCallsAreAllowed ensures every AWS call the real bounce reader makes while reading a real bounce (its secret, its checkpoint, the Message-ID lookup, the record's mark, the suppression entry) is allowed by its policy in template.yaml, and every call the send function makes to send, record, count and check that message and edit the suppression list is allowed by its own. A new call or item kind in the code fails here until the template allows it.
func TestBounceReaderCallsAreAllowed(t *testing.T) {
	inbox, ca := devimap.StartTest(t, devimap.Options{Users: map[string]string{fixture.User: fixture.Password}})
	sendCalls := &calls{}
	h := newHarness(t, setup{Store: true, Queue: true, SMTP: devsmtp.Options{Bounces: inbox}, Parts: func(p *app.Parts) {
		p.DynamoDB = recordingTable{API: p.DynamoDB, Calls: sendCalls}
		p.Secrets = recordingSecrets{p.Secrets, sendCalls}
		p.SQS = recordingQueues{p.SQS, sendCalls}
	}})
	h.storeDesk()
	sent := h.postSend(t, storeRequest(fixture.User, "nobody@"+devsmtp.BounceDomain, nil), "key-a", "iam-1")
	if sent.StatusCode != 200 {
		t.Fatalf("send: %d %s", sent.StatusCode, sent.Body)
	}
	if resp := h.getMessage(t, decodeBody[sentBody](t, sent).ID, "key-a"); resp.StatusCode != 200 {
		t.Fatalf("GET /messages: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com", "queued", nil)); resp.StatusCode != 202 {
		t.Fatalf("queue: %d %s", resp.StatusCode, resp.Body)
	}
	h.drain(t)
	for _, m := range []string{"PUT", "GET", "DELETE"} {
		if resp := h.suppressionCall(t, m, "kim@example.com", "desk", "key-a"); resp.StatusCode >= 300 {
			t.Fatalf("%s suppression: %d %s", m, resp.StatusCode, resp.Body)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := inbox.Count(fixture.User, "INBOX"); n < 1 && time.Now().Before(deadline); n, _ = inbox.Count(fixture.User, "INBOX") {
		time.Sleep(20 * time.Millisecond)
	}

	readCalls := &calls{}
	caFile := filepath.Join(t.TempDir(), "imap-ca.pem")
	if err := os.WriteFile(caFile, ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	h.secrets.Put("gmailsend/bounce-desk", fmt.Sprintf(`{"user":%q,"password":%q}`, fixture.User, fixture.Password))
	cfg := app.Defaults()
	cfg.MessagesTable, cfg.SMTPCAFile = "messages", caFile
	cfg.Bounces.IMAPHost, cfg.Bounces.IMAPPort, cfg.Bounces.Credentials = inbox.Host, inbox.Port, []string{"bounce-desk"}
	b, err := bounceapp.Build(cfg, app.Parts{Secrets: recordingSecrets{awssecrets.NewWithAPI(h.secrets.Client()), readCalls},
		DynamoDB: recordingTable{API: h.dynamo, Calls: readCalls}, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sum, err := b.Invoke(ctx, nil)
	if err != nil || len(sum.Accounts) != 1 || sum.Accounts[0].Suppressed != 1 {
		t.Fatalf("bounce run: %+v %v", sum, err)
	}

	params := map[string]any{"BounceCredentials": "bounce-desk"}
	checkAllowed(t, "BounceFunction", params, readCalls.All(), "secretsmanager:GetSecretValue", "dynamodb:GetItem imap#",
		"dynamodb:PutItem imap#", "dynamodb:Query", "dynamodb:UpdateItem msg#", "dynamodb:PutItem sup#")
	checkAllowed(t, "GmailSendFunction", params, sendCalls.All(), "secretsmanager:GetSecretValue", "dynamodb:PutItem msg#",
		"dynamodb:UpdateItem quota#", "dynamodb:UpdateItem msg#", "dynamodb:BatchGetItem sup#", "dynamodb:PutItem sup#",
		"dynamodb:DeleteItem sup#", "dynamodb:GetItem msg#", "dynamodb:Query quota#", "sqs:SendMessage")
}
