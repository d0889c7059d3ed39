package dynamostore

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend/internal/store"
)

var _ store.Transitions = (*Table)(nil)

// Move writes r with one conditional PutItem: only while the stored
// record's status is one of from. Queued and scheduled sends use it for
// every step (queued → sending, scheduled → cancelled, queued → failed),
// so a cancel and the queue's consumer can never both win.
func (t *Table) Move(ctx context.Context, r *store.Record, from ...store.Status) error {
	if len(from) == 0 {
		return fmt.Errorf("dynamostore: moving %s: no status to move from", r.ID)
	}
	api, err := t.client(ctx)
	if err != nil {
		return err
	}
	item, err := attributevalue.MarshalMap(toItem(r))
	if err != nil {
		return fmt.Errorf("dynamostore: %w", err)
	}
	values := map[string]types.AttributeValue{}
	names := make([]string, len(from))
	for i, s := range from {
		names[i] = fmt.Sprintf(":from%d", i)
		values[names[i]] = &types.AttributeValueMemberS{Value: string(s)}
	}
	_, err = api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(t.Name),
		Item:                      item,
		ConditionExpression:       aws.String("#s IN (" + strings.Join(names, ", ") + ")"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: values,
	})
	if conditionFailed(err) {
		return store.ErrStatusChanged
	}
	if err != nil {
		return unavailable(fmt.Errorf("dynamostore: moving %s to %s: %w", r.ID, r.Status, err))
	}
	return nil
}
