package awssecrets

import (
	"context"
	"errors"
	"net/http"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gmailsend/gmailsend"
)

// WriteAPI is what storing a credential needs: the function itself never
// writes (its IAM policy allows GetSecretValue only); the setup command does.
type WriteAPI interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

var _ WriteAPI = (*secretsmanager.Client)(nil)

// Writer creates or updates secrets.
type Writer struct{ api WriteAPI }

// NewWriter returns a Writer over a ready client.
func NewWriter(api WriteAPI) *Writer { return &Writer{api: api} }

// PutOptions apply when the secret is created; Secrets Manager keeps an
// existing secret's key and tags when only its value changes.
type PutOptions struct {
	KMSKeyID    string // "" for the account's aws/secretsmanager key
	Tags        map[string]string
	Description string
}

// PutResult says what Put did.
type PutResult struct {
	ARN     string
	Created bool // false: a new value of an existing secret
	// KeptKMSKey is set when an existing secret was updated and a KMS key
	// was asked for that differs from the one it keeps.
	KeptKMSKey bool
	// KeptTags is set when an existing secret was updated and tags were
	// given: they are not applied to it.
	KeptTags bool
}

// Put makes value the current version of the secret name: CreateSecret when
// it does not exist, PutSecretValue when it does. Errors carry codes and
// never quote the value.
func (w *Writer) Put(ctx context.Context, name string, value string, o PutOptions) (PutResult, error) {
	desc, err := w.api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		res, err := w.create(ctx, name, value, o)
		var exists *types.ResourceExistsException
		if !errors.As(err, &exists) {
			return res, err
		}
		// Created by someone else since DescribeSecret: update it instead.
		return w.update(ctx, name, value, o, nil)
	case err != nil:
		return PutResult{}, classifyWrite(name, "DescribeSecret", err)
	case desc.DeletedDate != nil:
		return PutResult{}, gmailsend.Errorf(gmailsend.CodeInvalidRequest, "name",
			"secret %s is scheduled for deletion; restore it first (aws secretsmanager restore-secret --secret-id %s) or choose another name", name, name)
	}
	return w.update(ctx, name, value, o, desc)
}

func (w *Writer) create(ctx context.Context, name, value string, o PutOptions) (PutResult, error) {
	in := &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}
	if o.KMSKeyID != "" {
		in.KmsKeyId = aws.String(o.KMSKeyID)
	}
	if o.Description != "" {
		in.Description = aws.String(o.Description)
	}
	keys := make([]string, 0, len(o.Tags))
	for k := range o.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(o.Tags[k])})
	}
	out, err := w.api.CreateSecret(ctx, in)
	var exists *types.ResourceExistsException
	if errors.As(err, &exists) {
		return PutResult{}, err
	}
	if err != nil {
		return PutResult{}, classifyWrite(name, "CreateSecret", err)
	}
	return PutResult{ARN: aws.ToString(out.ARN), Created: true}, nil
}

// update writes a new value; desc is nil when the secret was found to
// exist only by CreateSecret's refusal.
func (w *Writer) update(ctx context.Context, name, value string, o PutOptions, desc *secretsmanager.DescribeSecretOutput) (PutResult, error) {
	out, err := w.api.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(value)})
	if err != nil {
		return PutResult{}, classifyWrite(name, "PutSecretValue", err)
	}
	res := PutResult{ARN: aws.ToString(out.ARN), KeptTags: len(o.Tags) > 0}
	if o.KMSKeyID != "" && (desc == nil || aws.ToString(desc.KmsKeyId) != o.KMSKeyID) {
		res.KeptKMSKey = true
	}
	return res, nil
}

// classifyWrite maps a failed write to a code. The name and the operation
// are safe to show; the value never is, and AWS messages do not carry it.
func classifyWrite(name, op string, err error) error {
	var (
		api  smithy.APIError
		resp *smithyhttp.ResponseError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return &gmailsend.Error{Code: gmailsend.CodeTimeout, Err: err, Message: "Secrets Manager did not answer in time (" + op + ")"}
	case errors.As(err, &api) && (api.ErrorCode() == "AccessDeniedException" || api.ErrorCode() == "AccessDenied"):
		return &gmailsend.Error{Code: gmailsend.CodeForbidden, Field: "name", Err: err,
			Message: "your AWS identity may not call secretsmanager:" + op + " on " + name}
	case errors.As(err, &api) && api.ErrorCode() == "EncryptionFailure":
		return &gmailsend.Error{Code: gmailsend.CodeForbidden, Field: "kms-key-id", Err: err,
			Message: "Secrets Manager could not encrypt " + name + " with the KMS key: " + api.ErrorMessage()}
	case errors.As(err, &api) && (api.ErrorCode() == "InvalidParameterException" || api.ErrorCode() == "InvalidRequestException" ||
		api.ErrorCode() == "ValidationException" || api.ErrorCode() == "LimitExceededException"):
		return &gmailsend.Error{Code: gmailsend.CodeInvalidRequest, Field: "name", Err: err,
			Message: "Secrets Manager refused " + op + " for " + name + ": " + api.ErrorMessage()}
	case errors.As(err, &resp) && resp.HTTPStatusCode() >= http.StatusInternalServerError,
		errors.As(err, &api) && (api.ErrorCode() == "ThrottlingException" || api.ErrorCode() == "RequestLimitExceeded"):
		return &gmailsend.Error{Code: gmailsend.CodeSecretsUnavailable, Err: err, Message: "Secrets Manager failed or is throttling (" + op + "); try again"}
	case errors.As(err, &api):
		return &gmailsend.Error{Code: gmailsend.CodeSecretsUnavailable, Err: err, Message: "Secrets Manager refused " + op + " (" + api.ErrorCode() + ")"}
	}
	return &gmailsend.Error{Code: gmailsend.CodeSecretsUnavailable, Err: err, Message: "Secrets Manager could not be reached (" + op + ")"}
}
