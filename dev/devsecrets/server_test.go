package devsecrets_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/gmailsend/gmailsend/dev/devsecrets"
)

// TestWireOperations ensures the real SDK client can create, describe, update and read a secret, by name and by ARN.
func TestWireOperations(t *testing.T) {
	ep := devsecrets.Start()
	defer ep.Close()
	c := ep.Client()
	ctx := context.Background()
	created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("gmailsend/a"), SecretString: aws.String("one"),
		KmsKeyId: aws.String("alias/k"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("x")}}})
	if err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: created.ARN})
	if err != nil || aws.ToString(desc.Name) != "gmailsend/a" || aws.ToString(desc.KmsKeyId) != "alias/k" || len(desc.Tags) != 1 || desc.CreatedDate == nil {
		t.Fatalf("describe: %+v %v", desc, err)
	}
	put, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("gmailsend/a"), SecretString: aws.String("two")})
	if err != nil || aws.ToString(put.ARN) != aws.ToString(created.ARN) || aws.ToString(put.VersionId) == aws.ToString(created.VersionId) {
		t.Fatalf("put: %+v %v", put, err)
	}
	got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("gmailsend/a")})
	if err != nil || aws.ToString(got.SecretString) != "two" {
		t.Fatalf("get: %+v %v", got, err)
	}
}

// TestWireErrors ensures duplicates and missing secrets fail with the exception types AWS uses, which the SDK decodes.
func TestWireErrors(t *testing.T) {
	ep := devsecrets.Start()
	defer ep.Close()
	ep.Put("gmailsend/a", "v")
	c := ep.Client()
	ctx := context.Background()
	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("gmailsend/a"), SecretString: aws.String("w")})
	var exists *types.ResourceExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate create: %v", err)
	}
	var notFound *types.ResourceNotFoundException
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("gmailsend/b"), SecretString: aws.String("w")}); !errors.As(err, &notFound) {
		t.Fatalf("put on a missing secret: %v", err)
	}
	if _, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("gmailsend/b")}); !errors.As(err, &notFound) {
		t.Fatalf("describe a missing secret: %v", err)
	}
	if sec, _ := ep.Get("gmailsend/a"); sec.Value != "v" {
		t.Fatalf("the refused create changed the value: %q", sec.Value)
	}
}
