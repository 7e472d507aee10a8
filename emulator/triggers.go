package emulator

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/labfile"
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

// AddTrigger adds t to bucket's notification configuration as the AWS
// console's Add trigger does: it lets S3 invoke the function for the
// bucket (lambda add-permission, kept if the statement is there), reads
// the bucket's configuration and puts it back with t added, keeping every
// other configuration (queues and topics too). S3 validates the result
// (overlaps, unknown functions, recursion acknowledgement) and its error
// comes back as it is.
func AddTrigger(ctx context.Context, c Clients, bucket string, t Trigger) error {
	if err := AllowS3(ctx, c, t.FunctionARN, bucket); err != nil {
		return err
	}
	client := c.S3
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

// AllowS3 lets S3 invoke a function for bucket, as the console does before
// it saves a trigger (lambda add-permission with principal
// s3.amazonaws.com and the bucket as source). A statement already there is
// kept; an unknown function is left for S3 to refuse.
func AllowS3(ctx context.Context, c Clients, functionARN, bucket string) error {
	f, err := arn.ParseFunction(functionARN)
	if err != nil {
		return nil
	}
	_, err = c.Lambda.AddPermission(ctx, &lambdasdk.AddPermissionInput{
		FunctionName: aws.String(f.Name), StatementId: aws.String("lambdalab-s3-" + bucket),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
		SourceArn: aws.String(arn.BucketARN(bucket)), SourceAccount: aws.String(labfile.DefaultAccount)})
	var conflict *lambdatypes.ResourceConflictException
	var missing *lambdatypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &conflict) && !errors.As(err, &missing) {
		return err
	}
	return nil
}
