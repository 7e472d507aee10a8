package emulator

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"

	s3srv "github.com/lambdalab/lambdalab/emulator/s3"
)

// Clients are aws-sdk-go-v2 clients of every service of a lab, signed by
// one caller and reaching the lab in-process, through the same door as any
// client on the network: the console and scenarios use them, as a student
// uses the aws CLI.
type Clients struct {
	S3     *s3.Client
	Lambda *lambdasdk.Client
	Logs   *cloudwatchlogs.Client
	IAM    *iamsdk.Client
	STS    *stssdk.Client
}

// RootClients are the account root's clients (the console's).
func (l *Lab) RootClients() Clients { return l.ClientsFor(RootCredentials()) }

// ClientsFor returns clients signed with creds.
func (l *Lab) ClientsFor(creds Credentials) Clients {
	cfg := l.Config(creds)
	return Clients{
		S3:     l.ClientFor(creds),
		Lambda: lambdasdk.NewFromConfig(cfg),
		Logs:   cloudwatchlogs.NewFromConfig(cfg),
		IAM:    iamsdk.NewFromConfig(cfg),
		STS:    stssdk.NewFromConfig(cfg),
	}
}

// Config is an SDK configuration that reaches the lab in-process, signed
// with creds.
func (l *Lab) Config(creds Credentials) aws.Config {
	return aws.Config{
		Region:       l.file.Region,
		BaseEndpoint: aws.String("http://lambdalab.internal"),
		Credentials:  awscreds.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
		HTTPClient:   &http.Client{Transport: s3srv.Transport{Handler: l.door}},
		Logger:       logging.Nop{},
	}
}
