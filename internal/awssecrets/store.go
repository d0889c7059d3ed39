// Package awssecrets reads stored credentials from AWS Secrets Manager with
// the AWS SDK for Go v2 (GetSecretValue, AWSCURRENT). The SDK is configured
// from the function's environment (package awsenv), so AWS_REGION, the
// execution role's credentials and AWS_ENDPOINT_URL_SECRETS_MANAGER (a
// local endpoint) work with no code change. The configuration is loaded
// lazily, on the first stored-credential send, so a function that only
// sees inline passwords never pays for it.
// Writer (writer.go) creates and updates secrets for the gmailsend command;
// the function only reads.
//
// It does not cache: package credential does.
package awssecrets

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/awsenv"
	"github.com/gmailsend/gmailsend/internal/credential"
)

// API is the one Secrets Manager call the store needs.
type API interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Store fetches secrets. Safe for concurrent use.
type Store struct {
	api *awsenv.Lazy[API]
}

var _ credential.SecretFetcher = (*Store)(nil)

// New returns a Store that configures the SDK from the environment
// (awsenv) on first use. optFns adjust the client (tests set BaseEndpoint).
func New(optFns ...func(*secretsmanager.Options)) *Store {
	return &Store{api: awsenv.LazyClient(awsenv.SecretsManager, 3, func(cfg aws.Config) API {
		return secretsmanager.NewFromConfig(cfg, optFns...)
	})}
}

// NewWithAPI returns a Store over a ready client.
func NewWithAPI(api API) *Store { return &Store{api: awsenv.Ready(api)} }

// FetchSecret returns the current value of the secret id.
func (s *Store) FetchSecret(ctx context.Context, id string) ([]byte, error) {
	api, err := s.api.Get(ctx)
	if err != nil {
		return nil, &gmailsend.Error{Code: gmailsend.CodeSecretsUnavailable, Err: err,
			Message: "AWS configuration for Secrets Manager could not be loaded"}
	}
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(id),
		VersionStage: aws.String("AWSCURRENT"),
	})
	if err != nil {
		return nil, classify(id, err)
	}
	if out.SecretString != nil {
		return []byte(*out.SecretString), nil
	}
	return out.SecretBinary, nil
}

// classify maps Secrets Manager failures to codes. The secret's name is
// safe to show (the caller chose it); its content never appears.
func classify(id string, err error) error {
	var (
		notFound *types.ResourceNotFoundException
		decrypt  *types.DecryptionFailure
		internal *types.InternalServiceError
		api      smithy.APIError
		resp     *smithyhttp.ResponseError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return &gmailsend.Error{Code: gmailsend.CodeTimeout, Err: err, Message: "Secrets Manager did not answer in time"}
	case errors.As(err, &notFound):
		return &gmailsend.Error{Code: gmailsend.CodeCredentialNotFound, Field: "credential", Err: err,
			Message: "no stored credential named " + id}
	case errors.As(err, &decrypt):
		return &gmailsend.Error{Code: gmailsend.CodeCredentialInvalid, Field: "credential", Err: err,
			Message: "stored credential " + id + " cannot be decrypted by this function (KMS key policy)"}
	case errors.As(err, &internal):
		return &gmailsend.Error{Code: gmailsend.CodeSecretsUnavailable, Err: err, Message: "Secrets Manager failed; try again"}
	case errors.As(err, &api) && (api.ErrorCode() == "AccessDeniedException" || api.ErrorCode() == "AccessDenied"):
		return &gmailsend.Error{Code: gmailsend.CodeForbidden, Field: "credential", Err: err,
			Message: "this function is not allowed to read stored credential " + id}
	case errors.As(err, &api) && (api.ErrorCode() == "ThrottlingException" || api.ErrorCode() == "RequestLimitExceeded"):
		return &gmailsend.Error{Code: gmailsend.CodeSecretsUnavailable, Err: err, Message: "Secrets Manager is throttling; try again"}
	case errors.As(err, &resp) && resp.HTTPStatusCode() >= http.StatusInternalServerError:
		return &gmailsend.Error{Code: gmailsend.CodeSecretsUnavailable, Err: err, Message: "Secrets Manager failed; try again"}
	case errors.As(err, &api):
		return &gmailsend.Error{Code: gmailsend.CodeSecretsUnavailable, Err: err, Message: "Secrets Manager refused the request (" + api.ErrorCode() + ")"}
	}
	return &gmailsend.Error{Code: gmailsend.CodeSecretsUnavailable, Err: err, Message: "Secrets Manager could not be reached"}
}
