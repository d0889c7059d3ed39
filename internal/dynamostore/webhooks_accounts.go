package dynamostore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
)

// The account index: pk "hooksup#<account>", sk "callers", a string set of
// the API keys that registered an endpoint following that account's
// suppression list. The fan-out reads it (one GetItem) to find who to ask
// for endpoints when a suppression changes; the endpoints' own accounts
// decide, so an entry whose endpoint is gone only costs that read.
//
// Entries are added, never removed: removing one when a key's last such
// endpoint goes would race a registration that added it a moment before
// its endpoint is written (no transactions), and lose that endpoint's
// events. Left in place they are bounded by the deployment's credentials
// times its API keys, not by how often endpoints come and go.

type accountIndexItem struct {
	Callers []string `dynamodbav:"callers,stringset"`
}

func accountIndexKey(account string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "hooksup#" + account},
		"sk": &types.AttributeValueMemberS{Value: "callers"},
	}
}

// AddAccountSubscriber adds caller to account's index (an idempotent ADD
// to a set: concurrent registrations never drop each other).
func (t *Table) AddAccountSubscriber(ctx context.Context, account, caller string) error {
	api, err := t.client(ctx)
	if err != nil {
		return err
	}
	_, err = api.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(t.Name), Key: accountIndexKey(account),
		UpdateExpression:          aws.String("ADD callers :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberSS{Value: []string{caller}}}})
	if err != nil {
		return unavailable(fmt.Errorf("dynamostore: indexing a webhook endpoint's account: %w", err))
	}
	return nil
}

// AccountSubscribers returns the callers account's index holds (none when
// it has no index).
func (t *Table) AccountSubscribers(ctx context.Context, account string) ([]string, error) {
	item, err := t.readItem(ctx, accountIndexKey(account), "a webhook account index")
	if errors.Is(err, gmailsend.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var it accountIndexItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, fmt.Errorf("dynamostore: webhook account index: %w", err)
	}
	return it.Callers, nil
}
