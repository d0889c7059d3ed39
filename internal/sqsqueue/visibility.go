package sqsqueue

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/awsenv"
)

// MaxPostpone is the longest SQS keeps a received message invisible
// (12 hours from its receive); a later retry time is cut to it, and the
// guard answers again then.
const MaxPostpone = 12 * time.Hour

// VisibilityAPI is the SQS call Postpone makes; IAM in template.yaml
// allows sqs:ChangeMessageVisibility on the send queue only.
type VisibilityAPI interface {
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

var _ VisibilityAPI = (*sqs.Client)(nil)

// Visibility postpones received records. Safe for concurrent use.
type Visibility struct {
	api *awsenv.Lazy[VisibilityAPI]
}

// NewVisibility reaches SQS through the environment's configuration (awsenv)
// (AWS_ENDPOINT_URL_SQS works), loaded on first use.
func NewVisibility() *Visibility {
	return &Visibility{api: awsenv.LazyClient(awsenv.SQS, 2, func(cfg aws.Config) VisibilityAPI { return sqs.NewFromConfig(cfg) })}
}

// NewVisibilityWithAPI postpones through a ready client.
func NewVisibilityWithAPI(api VisibilityAPI) *Visibility { return &Visibility{api: awsenv.Ready(api)} }

// Postpone makes a received record visible again after d (at most
// MaxPostpone), so it comes back when the quota allows instead of after
// the queue's visibility timeout: it is neither lost nor sent early, and
// its receive count grows only once per window, far from maxReceiveCount.
func (v *Visibility) Postpone(ctx context.Context, queueARN, receiptHandle string, d time.Duration) error {
	url, err := QueueURL(queueARN)
	if err != nil {
		return err
	}
	api, err := v.client(ctx)
	if err != nil {
		return err
	}
	if d > MaxPostpone {
		d = MaxPostpone
	}
	secs := int32((d + time.Second - 1) / time.Second)
	_, err = api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(url), ReceiptHandle: aws.String(receiptHandle), VisibilityTimeout: secs,
	})
	if err != nil {
		return fmt.Errorf("sqsqueue: postponing a record: %w", err)
	}
	return nil
}

func (v *Visibility) client(ctx context.Context) (VisibilityAPI, error) {
	api, err := v.api.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqsqueue: loading AWS configuration: %w", err)
	}
	return api, nil
}

// QueueURL derives a queue's URL from its ARN (an SQS record's
// eventSourceARN), so the function needs no queue URL setting:
// arn:aws:sqs:eu-west-1:123456789012:q → https://sqs.eu-west-1.amazonaws.com/123456789012/q.
func QueueURL(arn string) (string, error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[3] == "" || parts[4] == "" || parts[5] == "" {
		return "", gmailsend.Errorf(gmailsend.CodeInternal, "", "not an SQS queue ARN")
	}
	host := "sqs." + parts[3] + ".amazonaws.com"
	if parts[1] == "aws-cn" {
		host += ".cn"
	}
	return "https://" + host + "/" + parts[4] + "/" + parts[5], nil
}
