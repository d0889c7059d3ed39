package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// Webhook endpoints: pk "hook#<caller>", sk "slot#<slot>" (two digits, the
// slot webhooks.SlotOf reads from the id), so one Query reads a caller's
// endpoints, no key reaches another's, and a caller has at most
// webhooks.MaxEndpoints items: the limit is the key space (webhooks'
// slots.go says why). The item holds its id, and every read and write
// checks it, so a slot reused after a delete is another endpoint, never
// the old one. The signing secrets are stored sealed
// (webhooks.KeySealer), never in clear.

type hookItem struct {
	PK             string        `dynamodbav:"pk"`
	SK             string        `dynamodbav:"sk"`
	ID             string        `dynamodbav:"id"`
	URL            string        `dynamodbav:"url"`
	Events         []string      `dynamodbav:"events"`
	Description    string        `dynamodbav:"description"`
	Credentials    []string      `dynamodbav:"credentials"`
	Accounts       []string      `dynamodbav:"accounts"`
	Enabled        bool          `dynamodbav:"enabled"`
	DisabledReason string        `dynamodbav:"disabledReason,omitempty"`
	CreatedAt      int64         `dynamodbav:"createdAt"`
	Secrets        []byte        `dynamodbav:"secrets"`
	SecretsVersion int           `dynamodbav:"secretsVersion"`
	Failures       []hookFailure `dynamodbav:"failures"`
}

type hookFailure struct {
	At        int64  `dynamodbav:"at"`
	EventID   string `dynamodbav:"eventId"`
	EventType string `dynamodbav:"eventType"`
	Attempt   int    `dynamodbav:"attempt"`
	Status    int    `dynamodbav:"status"`
	Code      string `dynamodbav:"code"`
}

var _ webhooks.Store = (*Table)(nil)

func hookPK(caller string) string { return "hook#" + caller }

// hookKey is the key of the slot id names; false when id names none.
func hookKey(caller, id string) (map[string]types.AttributeValue, bool) {
	slot, ok := webhooks.SlotOf(id)
	if !ok {
		return nil, false
	}
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: hookPK(caller)},
		"sk": &types.AttributeValueMemberS{Value: fmt.Sprintf("slot#%02d", slot)},
	}, true
}

// WebhookEndpoint reads one endpoint (gmailsend.ErrNotFound when caller
// has none with that id, also when another endpoint holds its slot now).
func (t *Table) WebhookEndpoint(ctx context.Context, caller, id string) (*webhooks.Stored, error) {
	key, ok := hookKey(caller, id)
	if !ok {
		return nil, gmailsend.ErrNotFound
	}
	item, err := t.readItem(ctx, key, "a webhook endpoint")
	if err != nil {
		return nil, err
	}
	st, err := hookFrom(item)
	if err != nil {
		return nil, err
	}
	if st.ID != id {
		return nil, gmailsend.ErrNotFound
	}
	return st, nil
}

// WebhookEndpoints reads caller's endpoints, oldest first (slots are
// reused, so the order is by creation time).
func (t *Table) WebhookEndpoints(ctx context.Context, caller string) ([]webhooks.Stored, error) {
	api, err := t.client(ctx)
	if err != nil {
		return nil, err
	}
	var out []webhooks.Stored
	var start map[string]types.AttributeValue
	for page := 0; page == 0 || start != nil; page++ {
		res, err := api.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(t.Name), KeyConditionExpression: aws.String("pk = :pk"), ConsistentRead: aws.Bool(true),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: hookPK(caller)}},
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, unavailable(fmt.Errorf("dynamostore: listing webhook endpoints: %w", err))
		}
		for _, item := range res.Items {
			st, err := hookFrom(item)
			if err != nil {
				return nil, err
			}
			out = append(out, *st)
		}
		start = res.LastEvaluatedKey
	}
	sortByCreation(out)
	return out, nil
}

func sortByCreation(list []webhooks.Stored) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].CreatedAt.Before(list[j-1].CreatedAt); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

func hookFrom(item map[string]types.AttributeValue) (*webhooks.Stored, error) {
	var it hookItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, fmt.Errorf("dynamostore: webhook endpoint: %w", err)
	}
	e := webhooks.Endpoint{ID: it.ID, Caller: it.PK[len("hook#"):], URL: it.URL, Description: it.Description,
		Enabled: it.Enabled, DisabledReason: it.DisabledReason, CreatedAt: time.UnixMilli(it.CreatedAt).UTC(),
		Events: make([]gmailsend.EventType, len(it.Events)), Credentials: nonNil(it.Credentials), Accounts: nonNil(it.Accounts)}
	for i, s := range it.Events {
		e.Events[i] = gmailsend.EventType(s)
	}
	for _, f := range it.Failures {
		e.Failures = append(e.Failures, webhooks.Failure{At: time.UnixMilli(f.At).UTC(), EventID: f.EventID,
			EventType: gmailsend.EventType(f.EventType), Attempt: f.Attempt, Status: f.Status, Code: f.Code})
	}
	return &webhooks.Stored{Endpoint: e, SealedSecrets: it.Secrets, SecretsVersion: it.SecretsVersion}, nil
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func failureItems(list []webhooks.Failure) []hookFailure {
	out := make([]hookFailure, len(list))
	for i, f := range list {
		out[i] = hookFailure{At: f.At.UnixMilli(), EventID: f.EventID, EventType: string(f.EventType),
			Attempt: f.Attempt, Status: f.Status, Code: f.Code}
	}
	return out
}
