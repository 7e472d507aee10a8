package tui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/arn"
)

// The Lambda and IAM side of the console: what it reads of functions and
// their roles, each through the service's API as the account root.

type (
	// functionsMsg is the lab's functions as ListFunctions lists them;
	// asked numbers the listing it answers.
	functionsMsg struct {
		asked   int
		configs []lambdatypes.FunctionConfiguration
		err     error
	}
	// functionLoadedMsg is a function as the function view shows it;
	// asked numbers the load it answers.
	functionLoadedMsg struct {
		name  string
		asked int
		info  *functionInfo
		err   error
	}
)

// functionInfo is a function as the Lambda and IAM APIs describe it.
type functionInfo struct {
	conf lambdatypes.FunctionConfiguration
	// reserved is its reserved concurrency (nil: the account's pool of
	// accountPool).
	reserved    *int32
	accountPool int32
	// The asynchronous invocation settings, Lambda's defaults when none
	// were put.
	retries     int32
	maxEventAge time.Duration
	onFailure   string
	recursion   string
	layers      map[string]layerInfo // by layer version ARN
	rolePolicy
	// problems are the parts that could not be read, said as the API said
	// them.
	problems []string
}

// layerInfo is what GetLayerVersionByArn says of a layer version.
type layerInfo struct {
	description string
	// standIn is set for a public layer the lab runs a stand-in for.
	standIn bool
	err     string
}

// rolePolicy is a function's execution role and the inline policy the
// console shows and edits: the lab file's, or the first IAM lists.
type rolePolicy struct {
	role       string
	policyName string
	policy     string // the document, "" when the role has none
}

// Lambda's defaults for asynchronous invocation.
const (
	defaultRetries     = 2
	defaultMaxEventAge = 6 * time.Hour
)

// listFunctions lists every function.
func (src *Source) listFunctions(asked int) tea.Cmd {
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		var all []lambdatypes.FunctionConfiguration
		p := lambdasdk.NewListFunctionsPaginator(src.Clients.Lambda, &lambdasdk.ListFunctionsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(c)
			if err != nil {
				return functionsMsg{asked: asked, err: fmt.Errorf("list functions: %s", apiMessage(err))}
			}
			all = append(all, page.Functions...)
		}
		return functionsMsg{asked: asked, configs: all}
	}
}

// loadFunction reads what the function view shows of name.
func (src *Source) loadFunction(name string, asked int) tea.Cmd {
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		out, err := src.Clients.Lambda.GetFunction(c, &lambdasdk.GetFunctionInput{FunctionName: aws.String(name)})
		if err != nil {
			return functionLoadedMsg{name: name, asked: asked, err: errors.New(apiMessage(err))}
		}
		info := &functionInfo{conf: *out.Configuration, retries: defaultRetries, maxEventAge: defaultMaxEventAge,
			recursion: string(lambdatypes.RecursiveLoopTerminate), layers: map[string]layerInfo{}}
		if out.Concurrency != nil {
			info.reserved = out.Concurrency.ReservedConcurrentExecutions
		}
		src.invocationSettings(c, name, info)
		for _, ly := range info.conf.Layers {
			info.layers[aws.ToString(ly.Arn)] = src.layer(c, aws.ToString(ly.Arn))
		}
		rp, err := src.rolePolicy(c, aws.ToString(info.conf.Role))
		if err != nil {
			info.problems = append(info.problems, err.Error())
		}
		info.rolePolicy = rp
		return functionLoadedMsg{name: name, asked: asked, info: info}
	}
}

// invocationSettings reads the account's concurrency and the function's
// asynchronous invocation and recursion settings into info.
func (src *Source) invocationSettings(c context.Context, name string, info *functionInfo) {
	lc := src.Clients.Lambda
	if acct, err := lc.GetAccountSettings(c, &lambdasdk.GetAccountSettingsInput{}); err == nil && acct.AccountLimit != nil {
		info.accountPool = acct.AccountLimit.ConcurrentExecutions
	} else if err != nil {
		info.problems = append(info.problems, "account settings: "+apiMessage(err))
	}
	eic, err := lc.GetFunctionEventInvokeConfig(c, &lambdasdk.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	var missing *lambdatypes.ResourceNotFoundException
	switch {
	case errors.As(err, &missing): // none put: Lambda's defaults
	case err != nil:
		info.problems = append(info.problems, "asynchronous invocation: "+apiMessage(err))
	default:
		if eic.MaximumRetryAttempts != nil {
			info.retries = *eic.MaximumRetryAttempts
		}
		if eic.MaximumEventAgeInSeconds != nil {
			info.maxEventAge = time.Duration(*eic.MaximumEventAgeInSeconds) * time.Second
		}
		if d := eic.DestinationConfig; d != nil && d.OnFailure != nil {
			info.onFailure = aws.ToString(d.OnFailure.Destination)
		}
	}
	if rc, err := lc.GetFunctionRecursionConfig(c, &lambdasdk.GetFunctionRecursionConfigInput{FunctionName: aws.String(name)}); err == nil {
		info.recursion = string(rc.RecursiveLoop)
	} else {
		info.problems = append(info.problems, "recursion: "+apiMessage(err))
	}
}

// layer asks Lambda about a layer version.
func (src *Source) layer(c context.Context, layerARN string) layerInfo {
	v, err := src.Clients.Lambda.GetLayerVersionByArn(c, &lambdasdk.GetLayerVersionByArnInput{Arn: aws.String(layerARN)})
	if err != nil {
		return layerInfo{err: apiMessage(err)}
	}
	return layerInfo{description: aws.ToString(v.Description), standIn: slices.Contains(emulator.StandIns(), layerARN)}
}

// rolePolicy reads the inline policy of an execution role (its ARN) that
// the console shows: the lab file's, else the first IAM lists.
func (src *Source) rolePolicy(c context.Context, roleARN string) (rolePolicy, error) {
	r, err := arn.ParseRole(roleARN)
	if err != nil {
		return rolePolicy{}, fmt.Errorf("execution role %q: %w", roleARN, err)
	}
	rp := rolePolicy{role: r.Name, policyName: emulator.LabFilePolicyName}
	names, err := src.Clients.IAM.ListRolePolicies(c, &iamsdk.ListRolePoliciesInput{RoleName: aws.String(r.Name)})
	if err != nil {
		return rp, fmt.Errorf("policies of role %s: %s", r.Name, apiMessage(err))
	}
	if len(names.PolicyNames) == 0 {
		return rp, nil
	}
	if !slices.Contains(names.PolicyNames, emulator.LabFilePolicyName) {
		rp.policyName = names.PolicyNames[0]
	}
	out, err := src.Clients.IAM.GetRolePolicy(c, &iamsdk.GetRolePolicyInput{RoleName: aws.String(r.Name), PolicyName: aws.String(rp.policyName)})
	if err != nil {
		return rp, fmt.Errorf("policy %s of role %s: %s", rp.policyName, r.Name, apiMessage(err))
	}
	// IAM returns the document URL-encoded (RFC 3986), as its API reference
	// says; the SDK leaves it so.
	doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
	if err != nil {
		doc = aws.ToString(out.PolicyDocument)
	}
	rp.policy = doc
	return rp, nil
}

// updateConfiguration changes a function's configuration and waits for the
// update to finish, as the SDK's FunctionUpdatedV2 waiter does (the console
// waits too before it says the change was saved): a failed update says why.
func (src *Source) updateConfiguration(c context.Context, in *lambdasdk.UpdateFunctionConfigurationInput) error {
	lc := src.Clients.Lambda
	if _, err := lc.UpdateFunctionConfiguration(c, in); err != nil {
		return errors.New(apiMessage(err))
	}
	w := lambdasdk.NewFunctionUpdatedV2Waiter(lc, func(o *lambdasdk.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, time.Second
	})
	werr := w.Wait(c, &lambdasdk.GetFunctionInput{FunctionName: in.FunctionName}, timeout)
	if werr == nil {
		return nil
	}
	conf, err := lc.GetFunctionConfiguration(c, &lambdasdk.GetFunctionConfigurationInput{FunctionName: in.FunctionName})
	switch {
	case err != nil:
		return errors.New(apiMessage(err))
	case conf.LastUpdateStatus == lambdatypes.LastUpdateStatusFailed:
		return fmt.Errorf("the update failed: %s", aws.ToString(conf.LastUpdateStatusReason))
	}
	return fmt.Errorf("the update did not finish: %w", werr)
}
