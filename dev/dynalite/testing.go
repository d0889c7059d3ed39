package dynalite

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// Require skips a test that needs dynalite when dynalite cannot run
// here, with one line, so Go-only machines still pass; with CI set it
// lets the test go on and fail (CI must exercise the store).
func Require(tb testing.TB) {
	tb.Helper()
	if err := Available(Dir(fixture.ModuleRoot(tb))); err != nil && os.Getenv("CI") == "" {
		tb.Skipf("DynamoDB tests skipped: %v", err)
	}
}

// Start runs dynalite for a test and stops it at cleanup; Require says
// when it skips instead.
func Start(tb testing.TB) (endpoint string) {
	tb.Helper()
	Require(tb)
	dir := Dir(fixture.ModuleRoot(tb))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := StartServer(ctx, dir, nil)
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
