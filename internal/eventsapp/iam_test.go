package eventsapp_test

import (
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gmailsend/gmailsend/dev/samtemplate"
)

var webhookQueueARN = samtemplate.ARN("AWS::SQS::Queue", "WebhookQueue")

// recordCall records a visibility change as IAM sees it (dev/iamcheck).
func (v *visibilityCalls) recordCall(_ *sqs.ChangeMessageVisibilityInput) {
	if v.calls != nil {
		v.calls.Add("sqs:ChangeMessageVisibility", webhookQueueARN)
	}
}
