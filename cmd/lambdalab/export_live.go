package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labfile"
)

// A live lab, as `export sam` reads it through the APIs a student has (S3,
// Lambda, IAM), and the same for a running lab (--addr) and one kept in a
// data directory (--data, opened in this process and reached through the
// in-memory transport).

// liveLab is what the template is made of.
type liveLab struct {
	from      string // where it was read: for the template's Description
	buckets   []string
	triggers  map[string][]s3types.LambdaFunctionConfiguration // by bucket
	functions []liveFunction
	roles     map[string]*liveRole // by role name
	layers    []liveLayer
}

type liveFunction struct {
	conf     lambdatypes.FunctionConfiguration
	code     []byte // the deployment package; nil for a built-in handler
	reserved *int32
	invoke   *lambdasdk.GetFunctionEventInvokeConfigOutput
	policy   []permission
}

// permission is one statement of a function's resource policy.
type permission struct {
	Sid       string
	Principal struct{ Service, AWS string }
	Action    string
	Condition struct {
		ArnLike      map[string]string
		StringEquals map[string]string
	}
}

type liveRole struct {
	name    string
	trust   string
	inline  [][2]string // name, document
	managed []string    // AWS managed policy ARNs
}

type liveLayer struct {
	conf    lambdasdk.GetLayerVersionByArnOutput
	content []byte
}

// liveReader reads a lab through its APIs; get downloads Code.Location.
type liveReader struct {
	s3     *s3.Client
	lambda *lambdasdk.Client
	iam    *iam.Client
	get    aws.HTTPClient
	notes  io.Writer // what the template leaves out, and why
}

func newLiveReader(cfg aws.Config, notes io.Writer) *liveReader {
	return &liveReader{s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), lambda: lambdasdk.NewFromConfig(cfg),
		iam: iam.NewFromConfig(cfg), get: cfg.HTTPClient, notes: notes}
}

// read reads the whole lab.
func (r *liveReader) read(ctx context.Context, from string) (*liveLab, error) {
	lab := &liveLab{from: from, triggers: map[string][]s3types.LambdaFunctionConfiguration{}, roles: map[string]*liveRole{}}
	buckets, err := r.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		return nil, fmt.Errorf("ListBuckets: %w", err)
	}
	for _, b := range buckets.Buckets {
		name := aws.ToString(b.Name)
		lab.buckets = append(lab.buckets, name)
		n, err := r.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: b.Name})
		if err != nil {
			return nil, fmt.Errorf("GetBucketNotificationConfiguration %s: %w", name, err)
		}
		lab.triggers[name] = n.LambdaFunctionConfigurations
	}
	pages := lambdasdk.NewListFunctionsPaginator(r.lambda, &lambdasdk.ListFunctionsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ListFunctions: %w", err)
		}
		for _, f := range page.Functions {
			fn, err := r.function(ctx, aws.ToString(f.FunctionName))
			if err != nil {
				return nil, err
			}
			lab.functions = append(lab.functions, fn)
			if err := r.role(ctx, lab, aws.ToString(fn.conf.Role)); err != nil {
				return nil, err
			}
		}
	}
	return lab, r.readLayers(ctx, lab)
}

// function reads one function: its configuration, code, concurrency,
// asynchronous invocation settings and resource policy.
func (r *liveReader) function(ctx context.Context, name string) (liveFunction, error) {
	got, err := r.lambda.GetFunction(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		return liveFunction{}, fmt.Errorf("GetFunction %s: %w", name, err)
	}
	fn := liveFunction{conf: *got.Configuration}
	if got.Concurrency != nil {
		fn.reserved = got.Concurrency.ReservedConcurrentExecutions
	}
	if fn.conf.Runtime != "" && got.Code != nil {
		if fn.code, err = r.download(ctx, aws.ToString(got.Code.Location)); err != nil {
			return liveFunction{}, fmt.Errorf("the code of function %s: %w", name, err)
		}
	}
	invoke, err := r.lambda.GetFunctionEventInvokeConfig(ctx, &lambdasdk.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	if err != nil && !notFound(err) {
		return liveFunction{}, fmt.Errorf("GetFunctionEventInvokeConfig %s: %w", name, err)
	}
	fn.invoke = invoke
	policy, err := r.lambda.GetPolicy(ctx, &lambdasdk.GetPolicyInput{FunctionName: aws.String(name)})
	if err != nil && !notFound(err) {
		return liveFunction{}, fmt.Errorf("GetPolicy %s: %w", name, err)
	}
	if err == nil {
		var doc struct{ Statement []permission }
		if err := json.Unmarshal([]byte(aws.ToString(policy.Policy)), &doc); err != nil {
			return liveFunction{}, fmt.Errorf("the policy of function %s: %w", name, err)
		}
		fn.policy = doc.Statement
	}
	return fn, nil
}

// role reads a function's execution role once: its trust policy, inline
// policies, and attached policies (AWS managed ones by ARN, the lab's own
// by their default version's document).
func (r *liveReader) role(ctx context.Context, lab *liveLab, roleARN string) error {
	name := roleARN[strings.LastIndexByte(roleARN, '/')+1:]
	if lab.roles[name] != nil {
		return nil
	}
	got, err := r.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchEntity" {
		fmt.Fprintf(r.notes, "lambdalab: role %s, which a function names, is not in IAM: exported with Lambda's trust policy and no permissions\n", name)
		lab.roles[name] = &liveRole{name: name, trust: emulator.LambdaTrustPolicy}
		return nil
	}
	if err != nil {
		return fmt.Errorf("GetRole %s: %w", name, err)
	}
	role := &liveRole{name: name, trust: unescape(aws.ToString(got.Role.AssumeRolePolicyDocument))}
	names, err := r.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("ListRolePolicies %s: %w", name, err)
	}
	for _, p := range names.PolicyNames {
		doc, err := r.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)})
		if err != nil {
			return fmt.Errorf("GetRolePolicy %s %s: %w", name, p, err)
		}
		role.inline = append(role.inline, [2]string{p, unescape(aws.ToString(doc.PolicyDocument))})
	}
	attached, err := r.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("ListAttachedRolePolicies %s: %w", name, err)
	}
	for _, p := range attached.AttachedPolicies {
		arn := aws.ToString(p.PolicyArn)
		if strings.HasPrefix(arn, "arn:aws:iam::aws:") {
			role.managed = append(role.managed, arn)
			continue
		}
		pol, err := r.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: p.PolicyArn})
		if err != nil {
			return fmt.Errorf("GetPolicy %s: %w", arn, err)
		}
		v, err := r.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.PolicyArn, VersionId: pol.Policy.DefaultVersionId})
		if err != nil {
			return fmt.Errorf("GetPolicyVersion %s: %w", arn, err)
		}
		role.inline = append(role.inline, [2]string{aws.ToString(p.PolicyName), unescape(aws.ToString(v.PolicyVersion.Document))})
	}
	lab.roles[name] = role
	return nil
}

// readLayers reads the lab's own layer versions the functions use, and the
// latest version of every other layer (ListLayers), with their content.
func (r *liveReader) readLayers(ctx context.Context, lab *liveLab) error {
	var arns []string
	for _, fn := range lab.functions {
		for _, l := range fn.conf.Layers {
			arns = append(arns, aws.ToString(l.Arn))
		}
	}
	listed, err := r.lambda.ListLayers(ctx, &lambdasdk.ListLayersInput{})
	if err != nil {
		return fmt.Errorf("ListLayers: %w", err)
	}
	for _, l := range listed.Layers {
		if l.LatestMatchingVersion != nil {
			arns = append(arns, aws.ToString(l.LatestMatchingVersion.LayerVersionArn))
		}
	}
	seen := map[string]bool{}
	for _, arn := range arns {
		if seen[arn] || !strings.Contains(arn, ":"+labfile.DefaultAccount+":") {
			continue // a public layer (Klayers') stays an ARN: it exists on AWS
		}
		seen[arn] = true
		v, err := r.lambda.GetLayerVersionByArn(ctx, &lambdasdk.GetLayerVersionByArnInput{Arn: aws.String(arn)})
		if err != nil {
			return fmt.Errorf("GetLayerVersionByArn %s: %w", arn, err)
		}
		content, err := r.download(ctx, aws.ToString(v.Content.Location))
		if err != nil {
			return fmt.Errorf("the content of layer %s: %w", arn, err)
		}
		lab.layers = append(lab.layers, liveLayer{conf: *v, content: content})
	}
	return nil
}

// download fetches a Code.Location, as a browser would.
func (r *liveReader) download(ctx context.Context, location string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return nil, err
	}
	res, err := r.get.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", location, res.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// unescape undoes IAM's URL-encoding of policy documents.
func unescape(doc string) string {
	if s, err := url.PathUnescape(doc); err == nil {
		return s
	}
	return doc
}

func notFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ResourceNotFoundException"
}
