package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// ApplyWebhookChange is the one write of a webhook endpoint: it writes c
// as webhooks.commit checked it, each kind with the condition that keeps
// it from racing the others (a new endpoint takes only an empty slot; a
// rotation, a disable, a failure or a delete touches only the endpoint
// whose id it names, never a deleted one nor the one that took its slot
// since; two rotations never both win).
func (t *Table) ApplyWebhookChange(ctx context.Context, c webhooks.Change) error {
	key, ok := hookKey(c.Caller, c.ID)
	if !ok {
		if c.Kind == webhooks.Created {
			return fmt.Errorf("dynamostore: webhook endpoint id %q names no slot", c.ID)
		}
		return gmailsend.ErrNotFound
	}
	api, err := t.client(ctx)
	if err != nil {
		return err
	}
	switch c.Kind {
	case webhooks.Created:
		return t.putHook(ctx, api, key, c)
	case webhooks.Deleted:
		_, err := api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(t.Name), Key: key,
			ConditionExpression:       aws.String("id = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: c.ID}}})
		if conditionFailed(err) {
			return gmailsend.ErrNotFound
		}
		if err != nil {
			return unavailable(fmt.Errorf("dynamostore: deleting a webhook endpoint: %w", err))
		}
		return nil
	}
	in, err := t.hookUpdate(key, c)
	if err != nil {
		return err
	}
	_, err = api.UpdateItem(ctx, in)
	if conditionFailed(err) {
		if c.Kind == webhooks.Rotated {
			return t.rotationLost(ctx, c)
		}
		return gmailsend.ErrNotFound
	}
	if err != nil {
		return unavailable(fmt.Errorf("dynamostore: updating a webhook endpoint: %w", err))
	}
	return nil
}

// putHook takes the slot key names for a new endpoint, only when it is
// empty (webhooks.ErrSlotTaken otherwise): the one write that keeps the
// limit.
func (t *Table) putHook(ctx context.Context, api API, key map[string]types.AttributeValue, c webhooks.Change) error {
	e := c.Endpoint
	events := make([]string, len(e.Events))
	for i, x := range e.Events {
		events[i] = string(x)
	}
	item, err := attributevalue.MarshalMap(hookItem{PK: hookPK(c.Caller), SK: key["sk"].(*types.AttributeValueMemberS).Value, ID: c.ID, URL: e.URL, Events: events,
		Description: e.Description, Credentials: nonNil(e.Credentials), Accounts: nonNil(e.Accounts), Enabled: true, CreatedAt: e.CreatedAt.UnixMilli(), Secrets: c.SealedSecrets,
		SecretsVersion: c.SecretsVersion, Failures: []hookFailure{}})
	if err != nil {
		return fmt.Errorf("dynamostore: %w", err)
	}
	_, err = api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.Name), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if conditionFailed(err) {
		return webhooks.ErrSlotTaken
	}
	if err != nil {
		return unavailable(fmt.Errorf("dynamostore: creating a webhook endpoint: %w", err))
	}
	return nil
}

// hookUpdate is the UpdateItem of a rotation, a disable, a re-enable or a
// failure.
func (t *Table) hookUpdate(key map[string]types.AttributeValue, c webhooks.Change) (*dynamodb.UpdateItemInput, error) {
	in := &dynamodb.UpdateItemInput{TableName: aws.String(t.Name), Key: key,
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: c.ID}}}
	// id = :id: the endpoint exists and is this one, not a new endpoint
	// in a slot reused since.
	cond := "id = :id"
	var set string
	switch c.Kind {
	case webhooks.Rotated:
		set = "secrets = :s, secretsVersion = :v"
		cond += " AND secretsVersion = :prev"
		in.ExpressionAttributeValues[":s"] = &types.AttributeValueMemberB{Value: c.SealedSecrets}
		in.ExpressionAttributeValues[":v"] = number(c.SecretsVersion)
		in.ExpressionAttributeValues[":prev"] = number(c.SecretsVersion - 1)
	case webhooks.Disabled:
		set = "enabled = :f, disabledReason = :r, failures = :l"
		in.ExpressionAttributeValues[":f"] = &types.AttributeValueMemberBOOL{Value: false}
		in.ExpressionAttributeValues[":r"] = &types.AttributeValueMemberS{Value: c.Reason}
	case webhooks.Reenabled:
		in.UpdateExpression, in.ConditionExpression = aws.String("SET enabled = :t REMOVE disabledReason"), aws.String(cond)
		in.ExpressionAttributeValues[":t"] = &types.AttributeValueMemberBOOL{Value: true}
		return in, nil
	case webhooks.FailureRecorded:
		// The whole list, as the deliverer read it plus one: two failures
		// of one endpoint at the same instant may keep only one entry, a
		// loss this diagnostic list can afford (the schedule is unaffected).
		set = "failures = :l"
	default:
		return nil, fmt.Errorf("dynamostore: webhook change %d is no update", c.Kind)
	}
	if c.Kind != webhooks.Rotated {
		l, err := attributevalue.Marshal(failureItems(c.Failures))
		if err != nil {
			return nil, fmt.Errorf("dynamostore: %w", err)
		}
		in.ExpressionAttributeValues[":l"] = l
	}
	in.UpdateExpression, in.ConditionExpression = aws.String("SET "+set), aws.String(cond)
	return in, nil
}

// rotationLost tells a rotation that lost to another (ErrStatusChanged)
// from one of an endpoint that is gone (ErrNotFound).
func (t *Table) rotationLost(ctx context.Context, c webhooks.Change) error {
	if _, err := t.WebhookEndpoint(ctx, c.Caller, c.ID); err != nil {
		return err
	}
	return gmailsend.ErrStatusChanged
}

func number(n int) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: fmt.Sprint(n)}
}
