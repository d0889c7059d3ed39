package dynamostore

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
)

// StreamChange is one record of the table's stream (NEW_AND_OLD_IMAGES)
// read back into the domain: a message record's change, or a suppression
// entry added or removed. Every other item kind (quota buckets,
// templates, checkpoints) is Other.
type StreamChange struct {
	// Seq is the stream record's sequence number, what a partial batch
	// failure names.
	Seq string
	// Old and New are a message record before and after (nil when it did
	// not exist).
	Old, New *gmailsend.Record
	// Suppression is set for a suppression entry's change.
	Suppression *gmailsend.SuppressionChange
	Other       bool
}

// ReadStreamRecord reads one stream record.
func ReadStreamRecord(r events.DynamoDBEventRecord) (StreamChange, error) {
	c := StreamChange{Seq: r.Change.SequenceNumber}
	keys := r.Change.Keys
	if len(keys) == 0 {
		keys = r.Change.NewImage
	}
	if len(keys) == 0 {
		keys = r.Change.OldImage
	}
	pk, sk := stringOf(keys["pk"]), stringOf(keys["sk"])
	switch {
	case strings.HasPrefix(pk, "msg#") && sk == "msg":
		var err error
		if c.Old, err = recordOfImage(r.Change.OldImage); err != nil {
			return c, err
		}
		c.New, err = recordOfImage(r.Change.NewImage)
		return c, err
	case strings.HasPrefix(pk, "sup#") && sk == "sup":
		return suppressionChange(c, pk, r)
	}
	c.Other = true
	return c, nil
}

func recordOfImage(img map[string]events.DynamoDBAttributeValue) (*gmailsend.Record, error) {
	if len(img) == 0 {
		return nil, nil
	}
	var it recordItem
	if err := attributevalue.UnmarshalMap(avMap(img), &it); err != nil {
		return nil, fmt.Errorf("dynamostore: a stream image: %w", err)
	}
	return fromItem(it), nil
}

// suppressionChange reads a suppression entry's insert or removal; a
// modification (none is ever written) is Other.
func suppressionChange(c StreamChange, pk string, r events.DynamoDBEventRecord) (StreamChange, error) {
	img := r.Change.NewImage
	added := r.EventName == "INSERT"
	if r.EventName == "REMOVE" {
		img = r.Change.OldImage
	} else if !added {
		c.Other = true
		return c, nil
	}
	var it suppressionItem
	if err := attributevalue.UnmarshalMap(avMap(img), &it); err != nil {
		return c, fmt.Errorf("dynamostore: a stream image: %w", err)
	}
	hash := pk[strings.LastIndexByte(pk, '#')+1:]
	c.Suppression = &gmailsend.SuppressionChange{Added: added, Account: it.Account, RecipientHash: hash, Reason: it.Reason,
		SourceID: stringOf(img["sourceId"]), CreatedAt: time.UnixMilli(it.CreatedAt).UTC()}
	return c, nil
}

func stringOf(v events.DynamoDBAttributeValue) string {
	if v.DataType() != events.DataTypeString {
		return ""
	}
	return v.String()
}

func avMap(img map[string]events.DynamoDBAttributeValue) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(img))
	for k, v := range img {
		out[k] = av(v)
	}
	return out
}

// av converts the Lambda event's attribute value into the SDK's, which
// the item types unmarshal from.
func av(v events.DynamoDBAttributeValue) types.AttributeValue {
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}
	case events.DataTypeMap:
		return &types.AttributeValueMemberM{Value: avMap(v.Map())}
	case events.DataTypeList:
		l := v.List()
		out := make([]types.AttributeValue, len(l))
		for i, e := range l {
			out[i] = av(e)
		}
		return &types.AttributeValueMemberL{Value: out}
	}
	return &types.AttributeValueMemberNULL{Value: true}
}
