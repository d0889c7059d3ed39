package dynamostore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/awsenv"
)

// API is the DynamoDB calls the package makes; IAM in template.yaml allows
// exactly these item actions on the table.
type API interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	// The suppression list (suppressions.go): one BatchGetItem checks a
	// send's recipients; DeleteItem removes an entry.
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Table is the messages table. Safe for concurrent use.
type Table struct {
	Name string
	api  *awsenv.Lazy[API]
}

// New returns the table name reached through the environment's (awsenv)
// configuration, loaded on first use.
func New(name string) *Table {
	return &Table{Name: name, api: awsenv.LazyClient(awsenv.DynamoDB, 3, func(cfg aws.Config) API { return dynamodb.NewFromConfig(cfg) })}
}

// NewWithAPI returns the table over a ready client.
func NewWithAPI(name string, api API) *Table { return &Table{Name: name, api: awsenv.Ready(api)} }

func (t *Table) client(ctx context.Context) (API, error) {
	api, err := t.api.Get(ctx)
	if err != nil {
		return nil, unavailable(fmt.Errorf("dynamostore: loading AWS configuration: %w", err))
	}
	return api, nil
}

// unavailable is store_unavailable keeping the cause for the log only.
func unavailable(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &gmailsend.Error{Code: gmailsend.CodeTimeout, Message: "the message table did not answer in time", Err: err}
	}
	return &gmailsend.Error{Code: gmailsend.CodeStoreUnavailable, Message: "the message table could not be reached", Err: err}
}

func conditionFailed(err error) bool {
	var c *types.ConditionalCheckFailedException
	return errors.As(err, &c)
}

// readItem reads one item consistently: gmailsend.ErrNotFound when there
// is none, store_unavailable (naming what) when the table cannot answer.
func (t *Table) readItem(ctx context.Context, key map[string]types.AttributeValue, what string) (map[string]types.AttributeValue, error) {
	api, err := t.client(ctx)
	if err != nil {
		return nil, err
	}
	out, err := api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.Name), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, unavailable(fmt.Errorf("dynamostore: reading %s: %w", what, err))
	}
	if len(out.Item) == 0 {
		return nil, gmailsend.ErrNotFound
	}
	return out.Item, nil
}
