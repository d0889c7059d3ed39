package dynalite

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// Start runs dynalite for a test and stops it at cleanup. When dynalite
// cannot run here the test fails if CI is set (CI must exercise the store)
// and is skipped with one line otherwise, so Go-only machines still pass.
func Start(tb testing.TB) (endpoint string) {
	tb.Helper()
	dir := Dir(fixture.ModuleRoot(tb))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := StartServer(ctx, dir, nil)
	if errors.Is(err, ErrUnavailable) && os.Getenv("CI") == "" {
		tb.Skipf("DynamoDB tests skipped: %v", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s.Endpoint
}

// StartTable runs dynalite for a test, creates the messages table from
// template.yaml under name, and returns a client for it.
func StartTable(tb testing.TB, name string) (*dynamodb.Client, string) {
	tb.Helper()
	endpoint := Start(tb)
	client := NewClient(endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := CreateTable(ctx, client, TemplatePath(fixture.ModuleRoot(tb)), name); err != nil {
		tb.Fatal(err)
	}
	return client, endpoint
}

// NewClient is the real SDK client pointed at endpoint, with dummy
// credentials (dynalite checks the signature's shape, not its key).
func NewClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: "dynalite"}, nil
		}),
	})
}
