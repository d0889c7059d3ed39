package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

// suppressionItem is one suppressed address of one account. The address
// itself is not stored: the key holds its hash.
type suppressionItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	Account    string `dynamodbav:"account"`
	Reason     string `dynamodbav:"reason"`
	Status     string `dynamodbav:"status,omitempty"`
	Diagnostic string `dynamodbav:"diagnostic,omitempty"`
	MessageID  string `dynamodbav:"messageId,omitempty"`
	CreatedAt  int64  `dynamodbav:"createdAt"`
}

func suppressionPK(account, address string) string {
	return "sup#" + account + "#" + bounce.AddressHash(address)
}

func suppressionKey(account, address string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: suppressionPK(account, address)},
		"sk": &types.AttributeValueMemberS{Value: "sup"},
	}
}

// Suppress adds s unless its address is already on the account's list.
func (t *Table) Suppress(ctx context.Context, s bounce.Suppression) (bool, error) {
	return t.suppress(ctx, suppressionPK(s.Account, s.Address), s)
}

// suppress adds s under pk unless an entry is there.
func (t *Table) suppress(ctx context.Context, pk string, s bounce.Suppression) (bool, error) {
	api, err := t.client(ctx)
	if err != nil {
		return false, err
	}
	// The record id is "sourceId", never "messageId": the
	// byMessageId index must only ever hold records.
	item, err := attributevalue.MarshalMap(suppressionItem{
		PK: pk, SK: "sup", Account: s.Account, Reason: s.Reason,
		Status: s.Status, Diagnostic: s.Diagnostic, CreatedAt: s.CreatedAt.UnixMilli(),
	})
	if err != nil {
		return false, fmt.Errorf("dynamostore: %w", err)
	}
	if s.SourceID != "" {
		item["sourceId"] = &types.AttributeValueMemberS{Value: s.SourceID}
	}
	_, err = api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(t.Name), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, unavailable(fmt.Errorf("dynamostore: suppressing an address: %w", err))
	}
	return true, nil
}

// Suppression reads one entry (gmailsend.ErrNotFound when the address is not
// suppressed).
func (t *Table) Suppression(ctx context.Context, account, address string) (*bounce.Suppression, error) {
	item, err := t.readItem(ctx, suppressionKey(account, address), "a suppression")
	if err != nil {
		return nil, err
	}
	return suppressionFrom(item, address)
}

func suppressionFrom(item map[string]types.AttributeValue, address string) (*bounce.Suppression, error) {
	var it suppressionItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, fmt.Errorf("dynamostore: suppression: %w", err)
	}
	var source string
	if v, ok := item["sourceId"].(*types.AttributeValueMemberS); ok {
		source = v.Value
	}
	return &bounce.Suppression{Account: it.Account, Address: address, Reason: it.Reason, Status: it.Status,
		Diagnostic: it.Diagnostic, SourceID: source, CreatedAt: time.UnixMilli(it.CreatedAt).UTC()}, nil
}

// Unsuppress removes an entry; it reports whether there was one.
func (t *Table) Unsuppress(ctx context.Context, account, address string) (bool, error) {
	api, err := t.client(ctx)
	if err != nil {
		return false, err
	}
	out, err := api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(t.Name), Key: suppressionKey(account, address), ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		return false, unavailable(fmt.Errorf("dynamostore: removing a suppression: %w", err))
	}
	return len(out.Attributes) > 0, nil
}

// Suppressed returns which of addresses are on the account's list, in
// their order, with each one's reason: one BatchGetItem per 100
// addresses, unprocessed keys retried a few times.
func (t *Table) Suppressed(ctx context.Context, account string, addresses []string) ([]bounce.Listed, error) {
	if len(addresses) == 0 {
		return nil, nil
	}
	api, err := t.client(ctx)
	if err != nil {
		return nil, err
	}
	byPK := map[string]string{}
	found := map[string]string{} // pk → reason
	for start := 0; start < len(addresses); start += 100 {
		keys := make([]map[string]types.AttributeValue, 0, 100)
		for _, a := range addresses[start:min(start+100, len(addresses))] {
			pk := suppressionPK(account, a)
			if _, dup := byPK[pk]; dup {
				continue
			}
			byPK[pk] = a
			keys = append(keys, suppressionKey(account, a))
		}
		req := map[string]types.KeysAndAttributes{t.Name: {Keys: keys, ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("pk, reason")}}
		for attempt := 0; len(req) > 0; attempt++ {
			if attempt == 4 {
				return nil, unavailable(fmt.Errorf("dynamostore: checking suppressions: keys left unprocessed"))
			}
			out, err := api.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, unavailable(fmt.Errorf("dynamostore: checking suppressions: %w", err))
			}
			for _, item := range out.Responses[t.Name] {
				if pk, ok := item["pk"].(*types.AttributeValueMemberS); ok {
					reason, _ := item["reason"].(*types.AttributeValueMemberS)
					found[pk.Value] = ""
					if reason != nil {
						found[pk.Value] = reason.Value
					}
				}
			}
			req = out.UnprocessedKeys
		}
	}
	var out []bounce.Listed
	for _, a := range addresses {
		if reason, ok := found[suppressionPK(account, a)]; ok {
			out = append(out, bounce.Listed{Address: a, Reason: reason})
		}
	}
	return out, nil
}
