package emulator

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Trigger is an S3 → Lambda trigger as a client adds it: the console's
// form and a scenario's addTrigger step.
type Trigger struct {
	FunctionARN    string
	ID             string   // "" lets S3 name it
	Events         []string // e.g. s3:ObjectCreated:*
	Prefix, Suffix string
}

// Configuration is t as the S3 API takes it.
func (t Trigger) Configuration() types.LambdaFunctionConfiguration {
	lc := types.LambdaFunctionConfiguration{LambdaFunctionArn: aws.String(t.FunctionARN)}
	if t.ID != "" {
		lc.Id = aws.String(t.ID)
	}
	for _, e := range t.Events {
		lc.Events = append(lc.Events, types.Event(e))
	}
	var rules []types.FilterRule
	if t.Prefix != "" {
		rules = append(rules, types.FilterRule{Name: types.FilterRuleNamePrefix, Value: aws.String(t.Prefix)})
	}
	if t.Suffix != "" {
		rules = append(rules, types.FilterRule{Name: types.FilterRuleNameSuffix, Value: aws.String(t.Suffix)})
	}
	if rules != nil {
		lc.Filter = &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: rules}}
	}
	return lc
}

// AddTrigger adds t to bucket's notification configuration through the S3
// API, as the Lambda console does: it reads the configuration and puts it
// back with t added, keeping every other configuration (queues and topics
// too). S3 validates the result (overlaps, unknown functions, recursion
// acknowledgement) and its error comes back as it is.
func AddTrigger(ctx context.Context, client *s3.Client, bucket string, t Trigger) error {
	cur, err := client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return err
	}
	_, err = client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{
			LambdaFunctionConfigurations: append(cur.LambdaFunctionConfigurations, t.Configuration()),
			QueueConfigurations:          cur.QueueConfigurations,
			TopicConfigurations:          cur.TopicConfigurations,
		},
	})
	return err
}
