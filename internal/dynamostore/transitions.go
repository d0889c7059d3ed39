package dynamostore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
)

var _ gmailsend.Transitions = (*Table)(nil)

// Move writes r with one conditional PutItem: only while the stored
// record's status is one of from. Queued and scheduled sends use it for
// every step (queued → sending, scheduled → cancelled, queued → failed),
// so a cancel and the queue's consumer can never both win.
func (t *Table) Move(ctx context.Context, r *gmailsend.Record, from ...gmailsend.Status) error {
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
		return gmailsend.ErrStatusChanged
	}
	if err != nil {
		return unavailable(fmt.Errorf("dynamostore: moving %s to %s: %w", r.ID, r.Status, err))
	}
	return nil
}

// BeginFrom moves a queued or scheduled record to sending under token with
// one conditional UpdateItem and returns it as it now is, with the status
// it left, so the queue's consumer needs no read first (the item as it
// was comes back, and the update's four attributes are applied to it). It also takes over a sending claim whose
// lease ran out before its holder marked content as sent (contentAt): that
// invocation died with nothing of the message at the server. With a
// fingerprint, only a record of that request moves.
// gmailsend.ErrStatusChanged when the record is in any other status, holds
// another request, or is absent.
func (t *Table) BeginFrom(ctx context.Context, id, fingerprint, token string, leaseUntil, now time.Time) (*gmailsend.Record, gmailsend.Status, error) {
	api, err := t.client(ctx)
	if err != nil {
		return nil, "", err
	}
	cond := "(#s IN (:queued, :scheduled)" +
		" OR (#s = :sending AND leaseUntil < :now AND attribute_not_exists(contentAt)))"
	values := map[string]types.AttributeValue{
		":sending":   &types.AttributeValueMemberS{Value: string(gmailsend.StatusSending)},
		":queued":    &types.AttributeValueMemberS{Value: string(gmailsend.StatusQueued)},
		":scheduled": &types.AttributeValueMemberS{Value: string(gmailsend.StatusScheduled)},
		":token":     &types.AttributeValueMemberS{Value: token},
		":lease":     &types.AttributeValueMemberN{Value: strconv.FormatInt(ms(leaseUntil), 10)},
		":now":       &types.AttributeValueMemberN{Value: strconv.FormatInt(ms(now), 10)},
	}
	if fingerprint != "" {
		// A payload that is not the record's request (a schedule or
		// queue message left by an attempt the caller then corrected)
		// never moves it.
		cond += " AND fingerprint = :fp"
		values[":fp"] = &types.AttributeValueMemberS{Value: fingerprint}
	}
	out, err := api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(t.Name),
		Key:                       recordKey(id),
		UpdateExpression:          aws.String("SET #s = :sending, #t = :token, leaseUntil = :lease, updatedAt = :now"),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  map[string]string{"#s": "status", "#t": "token"},
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllOld,
	})
	if conditionFailed(err) {
		return nil, "", gmailsend.ErrStatusChanged
	}
	if err != nil {
		return nil, "", unavailable(fmt.Errorf("dynamostore: beginning %s: %w", id, err))
	}
	var it recordItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return nil, "", fmt.Errorf("dynamostore: record %s: %w", id, err)
	}
	from := gmailsend.Status(it.Status)
	// What the update wrote, as a read of the new item would give it.
	it.Status, it.Token, it.LeaseUntil, it.UpdatedAt = string(gmailsend.StatusSending), token, ms(leaseUntil), ms(now)
	return fromItem(it), from, nil
}
