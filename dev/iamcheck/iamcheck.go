// Package iamcheck records the AWS calls a function's real code makes, as
// IAM sees them (action, resource in the deployed template's naming, the
// items' leading keys), and checks them against that function's policy in
// template.yaml, so a new call or item kind fails a test until the
// template allows it.
package iamcheck

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// Calls is a list of recorded calls, safe for concurrent use.
type Calls struct {
	mu   sync.Mutex
	list []samtemplate.Request
}

// Add records one call; keys are the items' partition keys (none for
// calls that touch no item).
func (c *Calls) Add(action, resource string, keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := samtemplate.Request{Action: action, Resource: resource}
	if len(keys) > 0 {
		r.Context = map[string][]string{"dynamodb:LeadingKeys": keys}
	}
	c.list = append(c.list, r)
}

// All is every call recorded so far.
func (c *Calls) All() []samtemplate.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]samtemplate.Request(nil), c.list...)
}

// TableARN is the message table's ARN in the template's naming.
var TableARN = samtemplate.ARN("AWS::DynamoDB::Table", "MessagesTable")

func pkOf(m map[string]types.AttributeValue) string {
	s, _ := m["pk"].(*types.AttributeValueMemberS)
	if s == nil {
		return ""
	}
	return s.Value
}

// Table is the message table's client, recording each item call.
type Table struct {
	dynamostore.API
	Calls *Calls
}

func (r Table) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.Calls.Add("dynamodb:PutItem", TableARN, pkOf(in.Item))
	return r.API.PutItem(ctx, in, o...)
}

func (r Table) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.Calls.Add("dynamodb:GetItem", TableARN, pkOf(in.Key))
	return r.API.GetItem(ctx, in, o...)
}

func (r Table) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.Calls.Add("dynamodb:UpdateItem", TableARN, pkOf(in.Key))
	return r.API.UpdateItem(ctx, in, o...)
}

func (r Table) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	r.Calls.Add("dynamodb:DeleteItem", TableARN, pkOf(in.Key))
	return r.API.DeleteItem(ctx, in, o...)
}

var hashKeyCondition = regexp.MustCompile(`^\s*(\w+)\s*=\s*(:\w+)`)

func (r Table) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	resource := TableARN
	if in.IndexName != nil {
		resource += "/index/" + aws.ToString(in.IndexName)
	}
	// The leading key is the value the key condition gives the partition
	// key (the table's pk, or the index's own).
	m := hashKeyCondition.FindStringSubmatch(aws.ToString(in.KeyConditionExpression))
	v, _ := in.ExpressionAttributeValues[m[2]].(*types.AttributeValueMemberS)
	r.Calls.Add("dynamodb:Query", resource, v.Value)
	return r.API.Query(ctx, in, o...)
}

func (r Table) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	var keys []string
	for _, ka := range in.RequestItems {
		for _, k := range ka.Keys {
			keys = append(keys, pkOf(k))
		}
	}
	r.Calls.Add("dynamodb:BatchGetItem", TableARN, keys...)
	return r.API.BatchGetItem(ctx, in, o...)
}

// Check fails for every recorded call the function's policy in
// template.yaml (with params) does not allow, and when an expected call
// ("action" or "action keyprefix") was never made: the test would then
// prove nothing.
func Check(t *testing.T, function string, params map[string]any, got []samtemplate.Request, expected ...string) {
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
