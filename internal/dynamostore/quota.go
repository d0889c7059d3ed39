package dynamostore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
)

var _ gmailsend.QuotaBuckets = (*Table)(nil)

// bucketItem is one account's hour: pk quota#<account>, sk hour#<hour>.
type bucketItem struct {
	SK           string `dynamodbav:"sk"`
	Messages     int    `dynamodbav:"msgs"`
	Recipients   int    `dynamodbav:"rcpts"`
	BlockedUntil int64  `dynamodbav:"blockedUntil"`
}

func quotaPK(account string) string { return "quota#" + account }

// hourSK is zero-padded so buckets sort by time.
func hourSK(hour int64) string { return fmt.Sprintf("hour#%010d", hour) }

func bucketKey(account string, hour int64) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: quotaPK(account)},
		"sk": &types.AttributeValueMemberS{Value: hourSK(hour)},
	}
}

// bucketExpiry keeps a bucket a day past the window, then TTL removes it.
func bucketExpiry(hour int64) string {
	return strconv.FormatInt((hour+2*gmailsend.Window)*3600, 10)
}

func num(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// PastHours reads the buckets of hours from..to with one Query.
func (t *Table) PastHours(ctx context.Context, account string, from, to int64) ([]gmailsend.HourUsage, error) {
	api, err := t.client(ctx)
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName:              aws.String(t.Name),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":   &types.AttributeValueMemberS{Value: quotaPK(account)},
			":from": &types.AttributeValueMemberS{Value: hourSK(from)},
			":to":   &types.AttributeValueMemberS{Value: hourSK(to)},
		},
		ConsistentRead: aws.Bool(true),
	}
	var out []gmailsend.HourUsage
	for {
		page, err := api.Query(ctx, in)
		if err != nil {
			return nil, unavailable(fmt.Errorf("dynamostore: reading quota: %w", err))
		}
		for _, it := range page.Items {
			b, err := decodeBucket(it)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

func decodeBucket(item map[string]types.AttributeValue) (gmailsend.HourUsage, error) {
	var b bucketItem
	if err := attributevalue.UnmarshalMap(item, &b); err != nil {
		return gmailsend.HourUsage{}, fmt.Errorf("dynamostore: quota bucket: %w", err)
	}
	var hour int64
	if _, err := fmt.Sscanf(b.SK, "hour#%d", &hour); err != nil {
		return gmailsend.HourUsage{}, fmt.Errorf("dynamostore: quota bucket %q: %w", b.SK, err)
	}
	u := gmailsend.HourUsage{Hour: hour, Usage: gmailsend.Usage{Messages: b.Messages, Recipients: b.Recipients}}
	if b.BlockedUntil > 0 {
		u.BlockedUntil = time.Unix(b.BlockedUntil, 0)
	}
	return u, nil
}

// Add is one conditional UpdateItem on the hour's bucket: it adds when
// the bucket stays within max and holds no block after now.
func (t *Table) Add(ctx context.Context, account string, hour int64, add, max gmailsend.Usage, now time.Time) (gmailsend.HourUsage, error) {
	api, err := t.client(ctx)
	if err != nil {
		return gmailsend.HourUsage{}, err
	}
	// ALL_NEW: the bucket as it now is comes back in the same request;
	// the guard reports the account's use (QuotaUsedPercent) from it.
	res, err := api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(t.Name),
		Key:              bucketKey(account, hour),
		ReturnValues:     types.ReturnValueAllNew,
		UpdateExpression: aws.String("ADD msgs :m, rcpts :r SET expiresAt = :exp"),
		ConditionExpression: aws.String("(attribute_not_exists(msgs) OR (msgs <= :maxM AND rcpts <= :maxR))" +
			" AND (attribute_not_exists(blockedUntil) OR blockedUntil <= :now)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":m": num(int64(add.Messages)), ":r": num(int64(add.Recipients)),
			":maxM": num(int64(max.Messages - add.Messages)), ":maxR": num(int64(max.Recipients - add.Recipients)),
			":now": num(now.Unix()), ":exp": &types.AttributeValueMemberN{Value: bucketExpiry(hour)},
		},
	})
	if err == nil {
		if cur, derr := decodeBucket(res.Attributes); derr == nil {
			return cur, nil
		}
		return gmailsend.HourUsage{Hour: hour}, nil
	}
	if !conditionFailed(err) {
		return gmailsend.HourUsage{}, unavailable(fmt.Errorf("dynamostore: counting quota: %w", err))
	}
	// Rare path: read the bucket to say why.
	got, err := api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.Name), Key: bucketKey(account, hour), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return gmailsend.HourUsage{}, unavailable(fmt.Errorf("dynamostore: reading quota: %w", err))
	}
	cur, err := decodeBucket(got.Item)
	if err != nil {
		return gmailsend.HourUsage{Hour: hour}, gmailsend.ErrBucketFull
	}
	if cur.BlockedUntil.After(now) {
		return cur, gmailsend.ErrBucketBlocked
	}
	return cur, gmailsend.ErrBucketFull
}

// Block sets the hour bucket's blockedUntil (the later of two blocks).
func (t *Table) Block(ctx context.Context, account string, hour int64, until time.Time) error {
	api, err := t.client(ctx)
	if err != nil {
		return err
	}
	_, err = api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(t.Name),
		Key:                 bucketKey(account, hour),
		UpdateExpression:    aws.String("SET blockedUntil = :until, expiresAt = :exp"),
		ConditionExpression: aws.String("attribute_not_exists(blockedUntil) OR blockedUntil < :until"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": num(until.Unix()), ":exp": &types.AttributeValueMemberN{Value: bucketExpiry(hour)},
		},
	})
	if err != nil && !conditionFailed(err) {
		return unavailable(fmt.Errorf("dynamostore: recording a block: %w", err))
	}
	return nil
}
