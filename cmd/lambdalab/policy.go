package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labfile"
)

func newPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "policy",
		Short:   "Work with functions' execution-role policies",
		Example: "  lambdalab policy simulate --function cis-exercise-demo s3:GetObject arn:aws:s3:::cis-examples/cat.png",
	}
	cmd.AddCommand(newSimulateCommand())
	return cmd
}

func newSimulateCommand() *cobra.Command {
	var labFile, function, addr string
	cmd := &cobra.Command{
		Use:   "simulate ACTION RESOURCE",
		Short: "Say whether a function's role may perform ACTION on RESOURCE, and which statement decides",
		Long: `simulate asks the running lab (--addr) as IAM's policy simulator is asked: it
reads the function's execution role (Lambda's GetFunctionConfiguration) and
evaluates that role's policies as they are now (IAM's SimulatePrincipalPolicy),
so a policy changed in the console (p) or with aws iam put-role-policy counts.
An explicit Deny wins, otherwise an Allow allows, otherwise the request is
denied. It exits 0 when the action is allowed and 1 when it is denied.

With --lab it evaluates a lab file's policy instead, without a running lab.`,
		Example: `  lambdalab policy simulate --function cis-exercise-demo s3:PutObject arn:aws:s3:::cis-examples-output/cat.png
  lambdalab policy simulate --addr 127.0.0.1:4567 --function thumbnailer s3:GetObject 'arn:aws:s3:::uploads/*'
  lambdalab policy simulate --lab my-lab.yaml --function thumbnailer s3:GetObject 'arn:aws:s3:::uploads/*'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if labFile != "" {
				file, err := loadLab(labFile)
				if err != nil {
					return err
				}
				return simulate(cmd.OutOrStdout(), file, function, args[0], args[1])
			}
			return simulateLive(cmd.Context(), cmd.OutOrStdout(), addr, function, args[0], args[1])
		},
	}
	cmd.Flags().StringVar(&addr, "addr", defaultAddr(), "the running lab's address (host:port); by default LocalStack's 127.0.0.1:4566, or AWS_ENDPOINT_URL(_S3)'s when it points here")
	cmd.Flags().StringVar(&labFile, "lab", "", "evaluate this lab file (or shipped lab) instead of asking a running lab")
	cmd.Flags().StringVar(&function, "function", "", "the function whose role to evaluate (required)")
	_ = cmd.MarkFlagRequired("function")
	return cmd
}

// simulate evaluates a lab file's policy, as the file says it, not as a
// running lab has it now.
func simulate(out io.Writer, file *labfile.File, function, action, resource string) error {
	for _, fn := range file.Functions {
		if fn.Name != function {
			continue
		}
		policy := fn.Policy()
		if policy == nil {
			policy = emulator.DefaultRolePolicy(file.Region)
		}
		d := policy.Evaluate(action, resource)
		verdict := "denied"
		if d.Allowed {
			verdict = "allowed"
		}
		fmt.Fprintf(out, "%s: %s on %s\n  role %s (function %s) in the lab file %s, not a running lab: %s\n",
			verdict, action, resource, fn.RoleName(), function, file.Name, d.Reason())
		if !d.Allowed {
			return &exitError{code: 1, err: fmt.Errorf("%s is denied %s on %s", fn.RoleName(), action, resource), quiet: true}
		}
		return nil
	}
	return usageError("lab %q has no function %q", file.Name, function)
}

// labClients reach a running lab's Lambda and IAM APIs, signed with the
// root key `lambdalab env` prints. One attempt each: a lab that does not
// answer is said at once.
func labClients(addr string) (*lambdasdk.Client, *iam.Client, string) {
	endpoint := "http://" + addr
	root := emulator.RootCredentials()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(root.AccessKeyID, root.SecretAccessKey, "")}
	return lambdasdk.NewFromConfig(cfg), iam.NewFromConfig(cfg), endpoint
}

// simulateLive asks the running lab at addr.
func simulateLive(ctx context.Context, out io.Writer, addr, function, action, resource string) error {
	fns, roles, endpoint := labClients(addr)
	conf, err := fns.GetFunctionConfiguration(ctx, &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String(function)})
	if err != nil {
		return labError(endpoint, "read function "+function, err)
	}
	roleARN := aws.ToString(conf.Role)
	role := roleARN[strings.LastIndexByte(roleARN, '/')+1:]
	sim, err := roles.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: conf.Role,
		ActionNames: []string{action}, ResourceArns: []string{resource}})
	if err != nil {
		return labError(endpoint, "simulate role "+role, err)
	}
	if len(sim.EvaluationResults) != 1 {
		return &exitError{code: 1, err: fmt.Errorf("the lab at %s answered %d evaluation results for one action and resource", endpoint, len(sim.EvaluationResults))}
	}
	r := sim.EvaluationResults[0]
	verdict, why := "denied", "no statement allows it (implicit deny)"
	switch r.EvalDecision {
	case iamtypes.PolicyEvaluationDecisionTypeAllowed:
		verdict, why = "allowed", "allowed by "+statementNames(ctx, roles, role, r.MatchedStatements)
	case iamtypes.PolicyEvaluationDecisionTypeExplicitDeny:
		why = "explicitly denied by " + statementNames(ctx, roles, role, r.MatchedStatements)
	}
	fmt.Fprintf(out, "%s: %s on %s\n  role %s (function %s) in the lab at %s: %s\n", verdict, action, resource, role, function, endpoint, why)
	if verdict != "allowed" {
		return &exitError{code: 1, err: fmt.Errorf("%s is denied %s on %s", role, action, resource), quiet: true}
	}
	return nil
}

// labError says why the lab could not answer: none runs at the address
// (and how to start one), or what it refused.
func labError(endpoint, what string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) || errors.Is(err, syscall.ECONNREFUSED) {
		return usageError("no lab answers at %s: start one in another terminal with `lambdalab serve` (or `lambdalab` for the console), "+
			"give the address of yours with --addr, or evaluate a lab file without a running lab with --lab FILE", endpoint)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return &exitError{code: 2, err: fmt.Errorf("%s: the lab at %s answered %s: %s", what, endpoint, ae.ErrorCode(), ae.ErrorMessage())}
	}
	return &exitError{code: 2, err: fmt.Errorf("%s at %s: %w", what, endpoint, err)}
}

// statementNames names the statements that decided: by Sid when the
// role's inline policy gives one, else by where they are written.
func statementNames(ctx context.Context, roles *iam.Client, role string, matched []iamtypes.Statement) string {
	var names []string
	for _, m := range matched {
		policy := aws.ToString(m.SourcePolicyId)
		name := fmt.Sprintf("the statement at line %d", positionLine(m.StartPosition))
		doc, err := roles.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: m.SourcePolicyId})
		if err == nil {
			if sid := sidAt(aws.ToString(doc.PolicyDocument), m.StartPosition, m.EndPosition); sid != "" {
				name = sid
			}
		}
		names = append(names, name+" of policy "+policy)
	}
	if len(names) == 0 {
		return "a statement the lab did not name"
	}
	return strings.Join(names, ", ")
}

func positionLine(p *iamtypes.Position) int32 {
	if p == nil {
		return 0
	}
	return p.Line
}

// sidAt reads the Sid of the statement written between two positions of a
// policy document (URL-encoded, as IAM returns documents).
func sidAt(doc string, start, end *iamtypes.Position) string {
	if s, err := url.PathUnescape(doc); err == nil {
		doc = s
	}
	from, to := offsetOf(doc, start), offsetOf(doc, end)
	if from < 0 || to < from || to > len(doc) {
		return ""
	}
	var st struct{ Sid string }
	if json.Unmarshal([]byte(doc[from:to]), &st) != nil {
		return ""
	}
	return st.Sid
}

// offsetOf turns a line and column (from 1) into a byte offset of doc.
func offsetOf(doc string, p *iamtypes.Position) int {
	if p == nil || p.Line < 1 || p.Column < 1 {
		return -1
	}
	at := 0
	for line := int32(1); line < p.Line; line++ {
		i := strings.IndexByte(doc[at:], '\n')
		if i < 0 {
			return -1
		}
		at += i + 1
	}
	return at + int(p.Column) - 1
}
