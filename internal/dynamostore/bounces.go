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
	"github.com/gmailsend/gmailsend/internal/bounce"
)

// MessageIDIndex is the table's global secondary index on a record's
// messageId (KEYS_ONLY, sparse: only sent records have one). It is how a
// bounce finds its record without an extra write on every send.
const MessageIDIndex = "byMessageId"

var (
	_ bounce.Store   = (*Table)(nil)
	_ bounce.Records = (*Table)(nil)
)

// checkpointItem is how far the bounce reader has read one mailbox.
type checkpointItem struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	UIDValidity uint32 `dynamodbav:"uidValidity"`
	LastUID     uint32 `dynamodbav:"lastUid"`
	FailingUID  uint32 `dynamodbav:"failingUid,omitempty"`
	Failures    int    `dynamodbav:"failures,omitempty"`
	UpdatedAt   int64  `dynamodbav:"updatedAt"`
}

func checkpointKey(account string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "imap#" + account},
		"sk": &types.AttributeValueMemberS{Value: "imap"},
	}
}

// Checkpoint reads an account's checkpoint (zero when there is none).
func (t *Table) Checkpoint(ctx context.Context, account string) (bounce.Checkpoint, error) {
	api, err := t.client(ctx)
	if err != nil {
		return bounce.Checkpoint{}, err
	}
	out, err := api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.Name), Key: checkpointKey(account), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return bounce.Checkpoint{}, unavailable(fmt.Errorf("dynamostore: reading a checkpoint: %w", err))
	}
	var it checkpointItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return bounce.Checkpoint{}, fmt.Errorf("dynamostore: checkpoint: %w", err)
	}
	return bounce.Checkpoint{UIDValidity: it.UIDValidity, LastUID: it.LastUID, FailingUID: it.FailingUID, Failures: it.Failures}, nil
}

// SaveCheckpoint writes an account's checkpoint.
func (t *Table) SaveCheckpoint(ctx context.Context, account string, c bounce.Checkpoint) error {
	api, err := t.client(ctx)
	if err != nil {
		return err
	}
	item, err := attributevalue.MarshalMap(checkpointItem{PK: "imap#" + account, SK: "imap",
		UIDValidity: c.UIDValidity, LastUID: c.LastUID, FailingUID: c.FailingUID, Failures: c.Failures, UpdatedAt: time.Now().UnixMilli()})
	if err != nil {
		return fmt.Errorf("dynamostore: %w", err)
	}
	if _, err := api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.Name), Item: item}); err != nil {
		return unavailable(fmt.Errorf("dynamostore: writing a checkpoint: %w", err))
	}
	return nil
}

// bounceEntry is one recipient's outcome in a record's "bounces" map,
// keyed by the recipient's hash (bounce.AddressHash): no address is stored.
type bounceEntry struct {
	Action     string `dynamodbav:"action"`
	Status     string `dynamodbav:"status,omitempty"`
	Diagnostic string `dynamodbav:"diagnostic,omitempty"`
	At         int64  `dynamodbav:"at"`
}

type bounceView struct {
	Account       string                 `dynamodbav:"account"`
	Status        string                 `dynamodbav:"status"`
	UpdatedAt     int64                  `dynamodbav:"updatedAt"`
	RecipientKeys []string               `dynamodbav:"recipientKeys,stringset"`
	Bounces       map[string]bounceEntry `dynamodbav:"bounces"`
}

// RecordsByMessageID finds the records of a Message-ID on the index,
// which gives their keys only.
func (t *Table) RecordsByMessageID(ctx context.Context, messageID string) ([]string, error) {
	api, err := t.client(ctx)
	if err != nil {
		return nil, err
	}
	out, err := api.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(t.Name), IndexName: aws.String(MessageIDIndex),
		KeyConditionExpression:    aws.String("messageId = :m"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":m": &types.AttributeValueMemberS{Value: messageID}},
		Limit:                     aws.Int32(4),
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("dynamostore: looking up a Message-ID: %w", err))
	}
	var ids []string
	for _, key := range out.Items {
		pk, _ := key["pk"].(*types.AttributeValueMemberS)
		if pk == nil || !strings.HasPrefix(pk.Value, "msg#") {
			continue
		}
		ids = append(ids, strings.TrimPrefix(pk.Value, "msg#"))
	}
	return ids, nil
}

// BounceTarget reads what a notification's rule needs of record id, with
// a consistent read; nil when there is no such record.
func (t *Table) BounceTarget(ctx context.Context, id string) (*bounce.Target, error) {
	api, err := t.client(ctx)
	if err != nil {
		return nil, err
	}
	got, err := api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(t.Name), Key: recordKey(id), ConsistentRead: aws.Bool(true),
		ProjectionExpression:     aws.String("account, #s, updatedAt, recipientKeys, bounces"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("dynamostore: reading %s: %w", id, err))
	}
	var v bounceView
	if len(got.Item) == 0 || attributevalue.UnmarshalMap(got.Item, &v) != nil {
		return nil, nil
	}
	return &bounce.Target{Account: v.Account, Status: gmailsend.Status(v.Status), RecipientKeys: v.RecipientKeys,
		Bounces: fromBounceEntries(v.Bounces), UpdatedAt: fromMS(v.UpdatedAt)}, nil
}

// WriteBounce writes c on record id with one UpdateItem: its mark under
// recipientHash and its status, conditional on updatedAt being what was
// read (bounce.ErrRaced otherwise). It decides nothing.
func (t *Table) WriteBounce(ctx context.Context, id, recipientHash string, read *bounce.Target, c bounce.Change) error {
	api, err := t.client(ctx)
	if err != nil {
		return err
	}
	m := c.Mark
	entry, err := attributevalue.Marshal(bounceEntry{Action: m.Action, Status: m.Status, Diagnostic: m.Diagnostic, At: m.At.UnixMilli()})
	if err != nil {
		return fmt.Errorf("dynamostore: %w", err)
	}
	names := map[string]string{"#s": "status", "#b": "bounces"}
	values := map[string]types.AttributeValue{
		":status": &types.AttributeValueMemberS{Value: string(c.Status)},
		":now":    &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().UnixMilli(), 10)},
		":seen":   &types.AttributeValueMemberN{Value: strconv.FormatInt(ms(read.UpdatedAt), 10)},
	}
	set := "#b = :entries"
	if read.Bounces == nil {
		values[":entries"] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{recipientHash: entry}}
	} else {
		set, names["#k"], values[":entry"] = "#b.#k = :entry", recipientHash, entry
	}
	_, err = api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(t.Name), Key: recordKey(id),
		UpdateExpression:          aws.String("SET " + set + ", #s = :status, updatedAt = :now"),
		ConditionExpression:       aws.String("updatedAt = :seen"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	if conditionFailed(err) {
		return bounce.ErrRaced
	}
	if err != nil {
		return unavailable(fmt.Errorf("dynamostore: recording a bounce on %s: %w", id, err))
	}
	return nil
}

func toBounceEntries(marks map[string]gmailsend.BounceMark) map[string]bounceEntry {
	if len(marks) == 0 {
		return nil
	}
	out := make(map[string]bounceEntry, len(marks))
	for k, m := range marks {
		out[k] = bounceEntry{Action: m.Action, Status: m.Status, Diagnostic: m.Diagnostic, At: m.At.UnixMilli()}
	}
	return out
}

func fromBounceEntries(entries map[string]bounceEntry) map[string]gmailsend.BounceMark {
	if len(entries) == 0 {
		return nil
	}
	out := make(map[string]gmailsend.BounceMark, len(entries))
	for k, e := range entries {
		out[k] = gmailsend.BounceMark{Action: e.Action, Status: e.Status, Diagnostic: e.Diagnostic, At: time.UnixMilli(e.At).UTC()}
	}
	return out
}
