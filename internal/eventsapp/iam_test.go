package eventsapp_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// iamCalls records the AWS calls the events function makes, as IAM sees
// them (action, resource in the template's naming, leading key).
type iamCalls struct {
	mu   sync.Mutex
	list []samtemplate.Request
}

func (c *iamCalls) add(action, resource, pk string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := samtemplate.Request{Action: action, Resource: resource}
	if pk != "" {
		r.Context = map[string][]string{"dynamodb:LeadingKeys": {pk}}
	}
	c.list = append(c.list, r)
}

var tableARN = samtemplate.ARN("AWS::DynamoDB::Table", "MessagesTable")

func pkOf(m map[string]types.AttributeValue) string {
	s, _ := m["pk"].(*types.AttributeValueMemberS)
	if s == nil {
		return ""
	}
	return s.Value
}

type recordingTable struct {
	dynamostore.API
	calls *iamCalls
}

func (r recordingTable) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.calls.add("dynamodb:GetItem", tableARN, pkOf(in.Key))
	return r.API.GetItem(ctx, in, o...)
}

func (r recordingTable) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.calls.add("dynamodb:UpdateItem", tableARN, pkOf(in.Key))
	return r.API.UpdateItem(ctx, in, o...)
}

func (r recordingTable) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	pk, _ := in.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS)
	r.calls.add("dynamodb:Query", tableARN, pk.Value)
	return r.API.Query(ctx, in, o...)
}

func (r recordingTable) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.calls.add("dynamodb:PutItem", tableARN, pkOf(in.Item))
	return r.API.PutItem(ctx, in, o...)
}

func (r recordingTable) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	r.calls.add("dynamodb:DeleteItem", tableARN, pkOf(in.Key))
	return r.API.DeleteItem(ctx, in, o...)
}

var webhookQueueARN = samtemplate.ARN("AWS::SQS::Queue", "WebhookQueue")

func (v *visibilityCalls) recordCall(_ *sqs.ChangeMessageVisibilityInput) {
	if v.calls != nil {
		v.calls.add("sqs:ChangeMessageVisibility", webhookQueueARN, "")
	}
}

// checkEventsPolicy fails for every recorded call EventsFunction's policy
// in template.yaml does not allow.
func checkEventsPolicy(t *testing.T, got []samtemplate.Request) {
	t.Helper()
	tpl, err := samtemplate.Load(filepath.Join(fixture.ModuleRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := samtemplate.NewResolver(tpl, nil).FunctionStatements("EventsFunction")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if !samtemplate.Allowed(stmts, c) {
			t.Errorf("EventsFunction calls %s on %s %v, which template.yaml does not allow it", c.Action, c.Resource, c.Context["dynamodb:LeadingKeys"])
		}
	}
}
