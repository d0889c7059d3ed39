package app_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
	"github.com/gmailsend/gmailsend/internal/bounceapp"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
)

// calls records every AWS call a function's code makes, as IAM sees it:
// the action, the resource's ARN in the deployed template's naming
// (samtemplate), and the partition keys of the items it touches.
type calls struct {
	mu   sync.Mutex
	list []samtemplate.Request
}

func (c *calls) add(action, resource string, keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := samtemplate.Request{Action: action, Resource: resource}
	if len(keys) > 0 {
		r.Context = map[string][]string{"dynamodb:LeadingKeys": keys}
	}
	c.list = append(c.list, r)
}

func (c *calls) all() []samtemplate.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]samtemplate.Request(nil), c.list...)
}

var tableARN = samtemplate.ARN("AWS::DynamoDB::Table", "MessagesTable")

func pkOf(m map[string]types.AttributeValue) string {
	s, _ := m["pk"].(*types.AttributeValueMemberS)
	if s == nil {
		return ""
	}
	return s.Value
}

// recordingTable is the message table's client, recording.
type recordingTable struct {
	dynamostore.API
	calls *calls
}

func (r recordingTable) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.calls.add("dynamodb:PutItem", tableARN, pkOf(in.Item))
	return r.API.PutItem(ctx, in, o...)
}

func (r recordingTable) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.calls.add("dynamodb:GetItem", tableARN, pkOf(in.Key))
	return r.API.GetItem(ctx, in, o...)
}

func (r recordingTable) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.calls.add("dynamodb:UpdateItem", tableARN, pkOf(in.Key))
	return r.API.UpdateItem(ctx, in, o...)
}

func (r recordingTable) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	r.calls.add("dynamodb:DeleteItem", tableARN, pkOf(in.Key))
	return r.API.DeleteItem(ctx, in, o...)
}

var hashKeyCondition = regexp.MustCompile(`^\s*(\w+)\s*=\s*(:\w+)`)

func (r recordingTable) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	resource := tableARN
	if in.IndexName != nil {
		resource += "/index/" + aws.ToString(in.IndexName)
	}
	// The leading key is the value the key condition gives the partition
	// key (the table's pk, or the index's own).
	m := hashKeyCondition.FindStringSubmatch(aws.ToString(in.KeyConditionExpression))
	v, _ := in.ExpressionAttributeValues[m[2]].(*types.AttributeValueMemberS)
	r.calls.add("dynamodb:Query", resource, v.Value)
	return r.API.Query(ctx, in, o...)
}

func (r recordingTable) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	var keys []string
	for _, ka := range in.RequestItems {
		for _, k := range ka.Keys {
			keys = append(keys, pkOf(k))
		}
	}
	r.calls.add("dynamodb:BatchGetItem", tableARN, keys...)
	return r.API.BatchGetItem(ctx, in, o...)
}

// recordingSecrets is the secret store, recording.
type recordingSecrets struct {
	credential.SecretFetcher
	calls *calls
}

func (r recordingSecrets) FetchSecret(ctx context.Context, id string) ([]byte, error) {
	r.calls.add("secretsmanager:GetSecretValue", fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-Xy12Ab", samtemplate.Region, samtemplate.AccountID, id))
	return r.SecretFetcher.FetchSecret(ctx, id)
}

// recordingQueues is the SQS client, recording (queues by the template's names).
type recordingQueues struct {
	sqsqueue.BatchAPI
	calls *calls
}

func (r recordingQueues) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, o ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	queue := map[string]string{"send": "SendQueue", "dlq": "DeadLetterQueue", "webhooks": "WebhookQueue"}[aws.ToString(in.QueueUrl)[strings.LastIndex(aws.ToString(in.QueueUrl), "/")+1:]]
	r.calls.add("sqs:SendMessage", samtemplate.ARN("AWS::SQS::Queue", queue))
	return r.BatchAPI.SendMessageBatch(ctx, in, o...)
}

// checkAllowed fails for every recorded call the function's policy in template.yaml does not allow, and when an expected action was never made (the test would prove nothing).
func checkAllowed(t *testing.T, function string, params map[string]any, got []samtemplate.Request, expected ...string) {
	t.Helper()
	tpl, err := samtemplate.Load(filepath.Join(fixture.ModuleRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := samtemplate.NewResolver(tpl, params).FunctionStatements(function)
	if err != nil {
		t.Fatal(err)
	}
	made := map[string]bool{}
	for _, c := range got {
		made[c.Action+" "+strings.Join(c.Context["dynamodb:LeadingKeys"], ",")] = true
		if !samtemplate.Allowed(stmts, c) {
			t.Errorf("%s calls %s on %s %v, which template.yaml does not allow it", function, c.Action, c.Resource, c.Context["dynamodb:LeadingKeys"])
		}
	}
	for _, e := range expected {
		found := false
		for m := range made {
			found = found || strings.HasPrefix(m, e)
		}
		if !found {
			t.Errorf("%s never made %q; calls: %v", function, e, made)
		}
	}
}

// TestBounceReaderCallsAreAllowed ensures every AWS call the real bounce reader makes while reading a real bounce (its secret, its checkpoint, the Message-ID lookup, the record's mark, the suppression entry) is allowed by its policy in template.yaml, and every call the send function makes to send, record, count and check that message and edit the suppression list is allowed by its own. A new call or item kind in the code fails here until the template allows it.
func TestBounceReaderCallsAreAllowed(t *testing.T) {
	inbox, ca := devimap.StartTest(t, devimap.Options{Users: map[string]string{fixture.User: fixture.Password}})
	sendCalls := &calls{}
	h := newHarness(t, setup{Store: true, Queue: true, SMTP: devsmtp.Options{Bounces: inbox}, Parts: func(p *app.Parts) {
		p.DynamoDB = recordingTable{p.DynamoDB, sendCalls}
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
		DynamoDB: recordingTable{h.dynamo, readCalls}, Log: io.Discard})
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
	checkAllowed(t, "BounceFunction", params, readCalls.all(), "secretsmanager:GetSecretValue", "dynamodb:GetItem imap#",
		"dynamodb:PutItem imap#", "dynamodb:Query", "dynamodb:UpdateItem msg#", "dynamodb:PutItem sup#")
	checkAllowed(t, "GmailSendFunction", params, sendCalls.all(), "secretsmanager:GetSecretValue", "dynamodb:PutItem msg#",
		"dynamodb:UpdateItem quota#", "dynamodb:UpdateItem msg#", "dynamodb:BatchGetItem sup#", "dynamodb:PutItem sup#",
		"dynamodb:DeleteItem sup#", "dynamodb:GetItem msg#", "dynamodb:Query quota#", "sqs:SendMessage")
}
