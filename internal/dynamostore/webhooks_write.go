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
// it from racing the others (a rotation, a disable or a failure never
// brings back a deleted endpoint; two rotations never both win).
func (t *Table) ApplyWebhookChange(ctx context.Context, c webhooks.Change) error {
	api, err := t.client(ctx)
	if err != nil {
		return err
	}
	switch c.Kind {
	case webhooks.Created:
		return t.putHook(ctx, api, c)
	case webhooks.Deleted:
		out, err := api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(t.Name), Key: hookKey(c.Caller, c.ID),
			ReturnValues: types.ReturnValueAllOld})
		if err != nil {
			return unavailable(fmt.Errorf("dynamostore: deleting a webhook endpoint: %w", err))
		}
		if len(out.Attributes) == 0 {
			return gmailsend.ErrNotFound
		}
		return nil
	}
	in, err := t.hookUpdate(c)
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

func (t *Table) putHook(ctx context.Context, api API, c webhooks.Change) error {
	e := c.Endpoint
	events := make([]string, len(e.Events))
	for i, x := range e.Events {
		events[i] = string(x)
	}
	item, err := attributevalue.MarshalMap(hookItem{PK: hookPK(c.Caller), SK: c.ID, URL: e.URL, Events: events,
		Description: e.Description, Enabled: true, CreatedAt: e.CreatedAt.UnixMilli(), Secrets: c.SealedSecrets,
		SecretsVersion: c.SecretsVersion, Failures: []hookFailure{}})
	if err != nil {
		return fmt.Errorf("dynamostore: %w", err)
	}
	_, err = api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.Name), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if conditionFailed(err) {
		return fmt.Errorf("dynamostore: webhook endpoint id %s taken", c.ID)
	}
	if err != nil {
		return unavailable(fmt.Errorf("dynamostore: creating a webhook endpoint: %w", err))
	}
	return nil
}

// hookUpdate is the UpdateItem of a rotation, a disable or a failure.
func (t *Table) hookUpdate(c webhooks.Change) (*dynamodb.UpdateItemInput, error) {
	in := &dynamodb.UpdateItemInput{TableName: aws.String(t.Name), Key: hookKey(c.Caller, c.ID),
		ExpressionAttributeValues: map[string]types.AttributeValue{}}
	cond := "attribute_exists(pk)"
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
