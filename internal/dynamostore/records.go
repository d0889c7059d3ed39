package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
)

var _ gmailsend.Records = (*Table)(nil)

// recordItem is a message record as stored. Times are epoch milliseconds,
// expiresAt epoch seconds (what DynamoDB's TTL reads).
type recordItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	ID         string `dynamodbav:"id"`
	Status     string `dynamodbav:"status"`
	Account    string `dynamodbav:"account"`
	Source     string `dynamodbav:"source"`
	Caller     string `dynamodbav:"caller,omitempty"`
	Recipients int    `dynamodbav:"recipients"`
	// RecipientKeys is a string set: 32 hex digits per recipient.
	RecipientKeys []string `dynamodbav:"recipientKeys,stringset,omitempty"`
	MessageID     string   `dynamodbav:"messageId,omitempty"`
	CreatedAt     int64    `dynamodbav:"createdAt"`
	UpdatedAt     int64    `dynamodbav:"updatedAt"`
	ErrorCode     string   `dynamodbav:"errorCode,omitempty"`
	ReplyCode     int      `dynamodbav:"replyCode,omitempty"`
	ReplyEnhCode  string   `dynamodbav:"replyEnhancedCode,omitempty"`
	ReplyText     string   `dynamodbav:"replyText,omitempty"`
	ExpiresAt     int64    `dynamodbav:"expiresAt"`
	ScheduledAt   int64    `dynamodbav:"scheduledAt,omitempty"`
	Keyed         bool     `dynamodbav:"keyed,omitempty"`
	Fingerprint   string   `dynamodbav:"fingerprint,omitempty"`
	KeyUntil      int64    `dynamodbav:"keyUntil,omitempty"`
	LeaseUntil    int64    `dynamodbav:"leaseUntil,omitempty"`
	Token         string   `dynamodbav:"token,omitempty"`
	Released      bool     `dynamodbav:"released,omitempty"`
	ContentAt     int64    `dynamodbav:"contentAt,omitempty"`
	// Bounces is written by the bounce reader (bounces.go).
	Bounces map[string]bounceEntry `dynamodbav:"bounces,omitempty"`
	// Template and TemplateVersion name the stored template used.
	Template        string `dynamodbav:"template,omitempty"`
	TemplateVersion int    `dynamodbav:"templateVersion,omitempty"`
}

func recordKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "msg#" + id},
		"sk": &types.AttributeValueMemberS{Value: "msg"},
	}
}

func toItem(r *gmailsend.Record) recordItem {
	it := recordItem{
		PK: "msg#" + r.ID, SK: "msg", ID: r.ID, Status: string(r.Status), Account: r.Account,
		Source: r.Source, Caller: r.Caller, Recipients: r.Recipients, RecipientKeys: r.RecipientKeys, MessageID: r.MessageID,
		CreatedAt: ms(r.CreatedAt), UpdatedAt: ms(r.UpdatedAt), ErrorCode: string(r.ErrorCode),
		ExpiresAt: r.ExpiresAt.Unix(), Keyed: r.Keyed, Fingerprint: r.Fingerprint,
		KeyUntil: ms(r.KeyUntil), LeaseUntil: ms(r.LeaseUntil), Token: r.Token, Released: r.Released,
		ContentAt: ms(r.ContentAt), Bounces: toBounceEntries(r.Bounces),
		Template: r.Template, TemplateVersion: r.TemplateVersion,
	}
	if r.ScheduledAt != nil {
		it.ScheduledAt = ms(*r.ScheduledAt)
	}
	if r.Reply != nil {
		it.ReplyCode, it.ReplyEnhCode, it.ReplyText = r.Reply.Code, r.Reply.EnhancedCode, r.Reply.Message
	}
	return it
}

func fromItem(it recordItem) *gmailsend.Record {
	r := &gmailsend.Record{
		ID: it.ID, Status: gmailsend.Status(it.Status), Account: it.Account, Source: it.Source,
		Caller: it.Caller, Recipients: it.Recipients, RecipientKeys: it.RecipientKeys, MessageID: it.MessageID,
		CreatedAt: fromMS(it.CreatedAt), UpdatedAt: fromMS(it.UpdatedAt), ErrorCode: gmailsend.Code(it.ErrorCode),
		ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC(), Keyed: it.Keyed, Fingerprint: it.Fingerprint,
		KeyUntil: fromMS(it.KeyUntil), LeaseUntil: fromMS(it.LeaseUntil), Token: it.Token, Released: it.Released,
		ContentAt: fromMS(it.ContentAt), Bounces: fromBounceEntries(it.Bounces),
		Template: it.Template, TemplateVersion: it.TemplateVersion,
	}
	if it.ScheduledAt != 0 {
		at := fromMS(it.ScheduledAt)
		r.ScheduledAt = &at
	}
	if it.ReplyCode != 0 {
		r.Reply = &gmailsend.SMTPReply{Code: it.ReplyCode, EnhancedCode: it.ReplyEnhCode, Message: it.ReplyText}
	}
	return r
}

// Claim writes r when its id is free, released, or held by a claim whose
// lease or key has run out: one conditional PutItem. A sending claim whose
// holder marked that content may be at the server (contentAt) is never
// taken over: the caller finds it and records the outcome unknown. A record still queued,
// scheduled or sending keeps its id past its key's time: overwriting it
// would drop the waiting message. When it is held, the holder is read
// (consistently) and returned with gmailsend.ErrClaimTaken.
func (t *Table) Claim(ctx context.Context, r *gmailsend.Record) (*gmailsend.Record, error) {
	api, err := t.client(ctx)
	if err != nil {
		return nil, err
	}
	item, err := attributevalue.MarshalMap(toItem(r))
	if err != nil {
		return nil, fmt.Errorf("dynamostore: %w", err)
	}
	now := strconv.FormatInt(ms(r.UpdatedAt), 10)
	_, err = api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(t.Name),
		Item:      item,
		ConditionExpression: aws.String("attribute_not_exists(pk) OR released = :true" +
			" OR (#s = :sending AND leaseUntil < :now AND attribute_not_exists(contentAt))" +
			" OR (keyUntil < :now AND NOT (#s IN (:sending, :queued, :scheduled)))"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":true":      &types.AttributeValueMemberBOOL{Value: true},
			":sending":   &types.AttributeValueMemberS{Value: string(gmailsend.StatusSending)},
			":queued":    &types.AttributeValueMemberS{Value: string(gmailsend.StatusQueued)},
			":scheduled": &types.AttributeValueMemberS{Value: string(gmailsend.StatusScheduled)},
			":now":       &types.AttributeValueMemberN{Value: now},
		},
	})
	if err == nil {
		return nil, nil
	}
	if !conditionFailed(err) {
		return nil, unavailable(fmt.Errorf("dynamostore: claiming %s: %w", r.ID, err))
	}
	holder, err := t.get(ctx, api, r.ID)
	if errors.Is(err, gmailsend.ErrNotFound) {
		// Released and gone between the two calls: the caller may try again.
		return nil, fmt.Errorf("dynamostore: claim of %s raced: %w", r.ID, gmailsend.ErrClaimTaken)
	}
	if err != nil {
		return nil, err
	}
	if r.Token != "" && holder.Token == r.Token {
		// Our own write: the request was applied and its answer lost, and
		// the SDK's retry met it. The claim is ours.
		return nil, nil
	}
	return holder, gmailsend.ErrClaimTaken
}

// Mark writes r.ContentAt with one conditional UpdateItem, only while
// r.Token holds the claim: after it, a crash of this invocation is taken
// for a send that may have reached the server.
func (t *Table) Mark(ctx context.Context, r *gmailsend.Record) error {
	api, err := t.client(ctx)
	if err != nil {
		return err
	}
	_, err = api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(t.Name),
		Key:                      recordKey(r.ID),
		UpdateExpression:         aws.String("SET contentAt = :at"),
		ConditionExpression:      aws.String("#t = :token"),
		ExpressionAttributeNames: map[string]string{"#t": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":token": &types.AttributeValueMemberS{Value: r.Token},
			":at":    &types.AttributeValueMemberN{Value: strconv.FormatInt(ms(r.ContentAt), 10)},
		},
	})
	if conditionFailed(err) {
		return gmailsend.ErrClaimLost
	}
	if err != nil {
		return unavailable(fmt.Errorf("dynamostore: marking %s: %w", r.ID, err))
	}
	return nil
}

// Finish writes the outcome of r's claim with one conditional PutItem: only
// while r.Token still holds it.
func (t *Table) Finish(ctx context.Context, r *gmailsend.Record) error {
	api, err := t.client(ctx)
	if err != nil {
		return err
	}
	item, err := attributevalue.MarshalMap(toItem(r))
	if err != nil {
		return fmt.Errorf("dynamostore: %w", err)
	}
	_, err = api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(t.Name),
		Item:                      item,
		ConditionExpression:       aws.String("#t = :token"),
		ExpressionAttributeNames:  map[string]string{"#t": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":token": &types.AttributeValueMemberS{Value: r.Token}},
	})
	if conditionFailed(err) {
		return gmailsend.ErrClaimLost
	}
	if err != nil {
		return unavailable(fmt.Errorf("dynamostore: finishing %s: %w", r.ID, err))
	}
	return nil
}

// Get reads a record with a strongly consistent read.
func (t *Table) Get(ctx context.Context, id string) (*gmailsend.Record, error) {
	api, err := t.client(ctx)
	if err != nil {
		return nil, err
	}
	return t.get(ctx, api, id)
}

func (t *Table) get(ctx context.Context, api API, id string) (*gmailsend.Record, error) {
	out, err := api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(t.Name), Key: recordKey(id), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("dynamostore: reading %s: %w", id, err))
	}
	if len(out.Item) == 0 {
		return nil, gmailsend.ErrNotFound
	}
	var it recordItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("dynamostore: record %s: %w", id, err)
	}
	return fromItem(it), nil
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
