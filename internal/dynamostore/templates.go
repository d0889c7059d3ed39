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
	"github.com/gmailsend/gmailsend/internal/mailtemplate"
)

// Stored templates live in the message table as two kinds of item:
//
//   - a head per name, pk "tpls#{scope}", sk "tpl#{name}": the latest
//     version number, the description and times. All of a scope's heads
//     share a partition, so GET /templates is one Query of small items.
//     A deleted template keeps its head (marked deleted) so a later PUT
//     continues its numbering: a message record's "booking v3" never
//     names two different contents.
//   - a version, pk "tpl#{scope}#{name}", sk "v#{version, 10 digits}":
//     the content, written once and never changed.
//
// The scope is the API key id ("" without one). Neither kind has a
// messageId or expiresAt attribute: no index or TTL touches them.

// templateHead is a template's head item.
type templateHead struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	Name        string `dynamodbav:"name"`
	Latest      int    `dynamodbav:"latest"`
	Description string `dynamodbav:"description,omitempty"`
	UpdatedAt   int64  `dynamodbav:"updatedAt"`
	Deleted     bool   `dynamodbav:"deleted,omitempty"`
}

// templateVersion is one version's item.
type templateVersion struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	Name        string `dynamodbav:"name"`
	Version     int    `dynamodbav:"version"`
	Subject     string `dynamodbav:"subject"`
	HTML        string `dynamodbav:"html"`
	Text        string `dynamodbav:"text,omitempty"`
	Description string `dynamodbav:"description,omitempty"`
	Unsubscribe bool   `dynamodbav:"unsubscribe,omitempty"`
	CreatedAt   int64  `dynamodbav:"createdAt"`
}

func templateHeadKey(scope, name string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "tpls#" + scope},
		"sk": &types.AttributeValueMemberS{Value: "tpl#" + name},
	}
}

func templateVersionPK(scope, name string) string { return "tpl#" + scope + "#" + name }

func templateVersionSK(v int) string { return fmt.Sprintf("v#%010d", v) }

// PutTemplate stores tpl as the next version of its name in scope and
// returns that version. The version item is written first (conditionally,
// so two PUTs at once never share a number) and the head moved to it
// after: a head never names a version that does not exist.
func (t *Table) PutTemplate(ctx context.Context, scope string, tpl *mailtemplate.Template) (int, error) {
	api, err := t.client(ctx)
	if err != nil {
		return 0, err
	}
	for attempt := 0; attempt < 5; attempt++ {
		head, err := t.templateHead(ctx, api, scope, tpl.Name)
		if err != nil && !errors.Is(err, gmailsend.ErrNotFound) {
			return 0, err
		}
		v := 1
		if head != nil {
			v = head.Latest + 1
		}
		item, err := attributevalue.MarshalMap(templateVersion{
			PK: templateVersionPK(scope, tpl.Name), SK: templateVersionSK(v), Name: tpl.Name, Version: v,
			Subject: tpl.Subject, HTML: tpl.HTML, Text: tpl.Text, Description: tpl.Description,
			Unsubscribe: tpl.Unsubscribe, CreatedAt: tpl.CreatedAt.UnixMilli(),
		})
		if err != nil {
			return 0, fmt.Errorf("dynamostore: %w", err)
		}
		_, err = api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.Name), Item: item,
			ConditionExpression: aws.String("attribute_not_exists(pk)")})
		if conditionFailed(err) {
			continue // another PUT took this number
		}
		if err != nil {
			return 0, unavailable(fmt.Errorf("dynamostore: writing a template: %w", err))
		}
		update := "SET #n = :name, latest = :v, updatedAt = :at REMOVE deleted"
		values := map[string]types.AttributeValue{
			":name": &types.AttributeValueMemberS{Value: tpl.Name},
			":v":    &types.AttributeValueMemberN{Value: strconv.Itoa(v)},
			":at":   &types.AttributeValueMemberN{Value: strconv.FormatInt(tpl.CreatedAt.UnixMilli(), 10)},
		}
		if tpl.Description != "" {
			update = "SET #n = :name, latest = :v, updatedAt = :at, description = :d REMOVE deleted"
			values[":d"] = &types.AttributeValueMemberS{Value: tpl.Description}
		} else {
			update += ", description"
		}
		_, err = api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(t.Name), Key: templateHeadKey(scope, tpl.Name),
			UpdateExpression:          aws.String(update),
			ConditionExpression:       aws.String("attribute_not_exists(latest) OR latest < :v"),
			ExpressionAttributeNames:  map[string]string{"#n": "name"},
			ExpressionAttributeValues: values,
		})
		if conditionFailed(err) {
			return v, nil // a later version is already the head
		}
		if err != nil {
			return 0, unavailable(fmt.Errorf("dynamostore: writing a template's head: %w", err))
		}
		return v, nil
	}
	return 0, unavailable(errors.New("dynamostore: writing a template: too many concurrent versions"))
}

func (t *Table) templateHead(ctx context.Context, api API, scope, name string) (*templateHead, error) {
	out, err := api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.Name), Key: templateHeadKey(scope, name), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, unavailable(fmt.Errorf("dynamostore: reading a template: %w", err))
	}
	if len(out.Item) == 0 {
		return nil, gmailsend.ErrNotFound
	}
	var h templateHead
	if err := attributevalue.UnmarshalMap(out.Item, &h); err != nil {
		return nil, fmt.Errorf("dynamostore: template head: %w", err)
	}
	return &h, nil
}

// Template reads version (0: the latest) of name in scope;
// gmailsend.ErrNotFound when there is no such template or version, or it was
// deleted.
func (t *Table) Template(ctx context.Context, scope, name string, version int) (*mailtemplate.Template, error) {
	api, err := t.client(ctx)
	if err != nil {
		return nil, err
	}
	head, err := t.templateHead(ctx, api, scope, name)
	if err != nil {
		return nil, err
	}
	if head.Deleted || version > head.Latest {
		return nil, gmailsend.ErrNotFound
	}
	if version <= 0 {
		version = head.Latest
	}
	out, err := api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.Name), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: templateVersionPK(scope, name)},
			"sk": &types.AttributeValueMemberS{Value: templateVersionSK(version)},
		}})
	if err != nil {
		return nil, unavailable(fmt.Errorf("dynamostore: reading a template version: %w", err))
	}
	if len(out.Item) == 0 {
		return nil, gmailsend.ErrNotFound
	}
	var it templateVersion
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("dynamostore: template version: %w", err)
	}
	return &mailtemplate.Template{Name: it.Name, Version: it.Version, CreatedAt: time.UnixMilli(it.CreatedAt).UTC(),
		Source: mailtemplate.Source{Subject: it.Subject, HTML: it.HTML, Text: it.Text, Description: it.Description, Unsubscribe: it.Unsubscribe}}, nil
}

// Templates lists scope's templates (not deleted), by name.
func (t *Table) Templates(ctx context.Context, scope string) ([]mailtemplate.Summary, error) {
	api, err := t.client(ctx)
	if err != nil {
		return nil, err
	}
	out := []mailtemplate.Summary{}
	var start map[string]types.AttributeValue
	for {
		page, err := api.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(t.Name), KeyConditionExpression: aws.String("pk = :pk"), ExclusiveStartKey: start,
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "tpls#" + scope}},
		})
		if err != nil {
			return nil, unavailable(fmt.Errorf("dynamostore: listing templates: %w", err))
		}
		for _, item := range page.Items {
			var h templateHead
			if err := attributevalue.UnmarshalMap(item, &h); err != nil {
				return nil, fmt.Errorf("dynamostore: template head: %w", err)
			}
			if !h.Deleted {
				out = append(out, mailtemplate.Summary{Name: h.Name, Version: h.Latest, Description: h.Description, UpdatedAt: time.UnixMilli(h.UpdatedAt).UTC()})
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = page.LastEvaluatedKey
	}
}

// DeleteTemplate marks name's head deleted and removes its versions'
// content; it reports whether there was a template to delete.
func (t *Table) DeleteTemplate(ctx context.Context, scope, name string) (bool, error) {
	api, err := t.client(ctx)
	if err != nil {
		return false, err
	}
	_, err = api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(t.Name), Key: templateHeadKey(scope, name),
		UpdateExpression:          aws.String("SET deleted = :true"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(deleted)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":true": &types.AttributeValueMemberBOOL{Value: true}},
	})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, unavailable(fmt.Errorf("dynamostore: deleting a template: %w", err))
	}
	var start map[string]types.AttributeValue
	for {
		page, err := api.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(t.Name), KeyConditionExpression: aws.String("pk = :pk"), ExclusiveStartKey: start,
			ProjectionExpression:      aws.String("pk, sk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: templateVersionPK(scope, name)}},
		})
		if err != nil {
			return true, unavailable(fmt.Errorf("dynamostore: deleting a template's versions: %w", err))
		}
		for _, key := range page.Items {
			if _, err := api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(t.Name), Key: key}); err != nil {
				return true, unavailable(fmt.Errorf("dynamostore: deleting a template version: %w", err))
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return true, nil
		}
		start = page.LastEvaluatedKey
	}
}
