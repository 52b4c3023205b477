
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ltops' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ltops'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ltops' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in with AWS SSO (device authorization); shares its token cache with `aws sso login`')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Sign out: revoke the SSO token at the portal and delete it from the cache')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who you are in AWS and which mutating commands you may run')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'The tamper-evident audit log: show, verify, export, head; document interventions')
            [CompletionResult]::new('tenant', 'tenant', [CompletionResultType]::ParameterValue, 'Tenants: list, inventory, erasure on the customer''s instruction, the erasure ledger')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Point-in-time restore: plan, run, status, re-apply erasures to a restored copy')
            [CompletionResult]::new('retention', 'retention', [CompletionResultType]::ParameterValue, 'Statutory retention: purge rows kept after erasures once their period has ended')
            [CompletionResult]::new('intervene', 'intervene', [CompletionResultType]::ParameterValue, 'Correct customer data: one tenant, a reason, a preview with before/after images, recorded')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Read customer data: one tenant, a reason, personal columns masked, recorded, never stored')
            [CompletionResult]::new('tom', 'tom', [CompletionResultType]::ParameterValue, 'The annual TOM review (§9): controls, live checks, attestations, the report')
            [CompletionResult]::new('approvals', 'approvals', [CompletionResultType]::ParameterValue, 'Four eyes on irreversible actions: list approval requests, approve or deny them')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Inspect the resolved configuration')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages (roff) to stdout or to a folder')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;login' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Do not try to open a browser; only print the URL and code')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;logout' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;whoami' {
            [CompletionResult]::new('--can', '--can', [CompletionResultType]::ParameterName, 'Answer whether this identity may run COMMAND (exit 0 yes, 1 no), e.g. `tenant.erase`')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;audit' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the audit store (Postgres schema ltops_audit, or the log file) and grant roles')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Document an intervention made outside ltops (console, psql) with its reason')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'List events, newest last, with each intent''s outcome')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute every hash and link; exit 1 and name the first broken seq when broken')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the log as a JSONL evidence file ending in its head hash')
            [CompletionResult]::new('head', 'head', [CompletionResultType]::ParameterValue, 'Print the head (seq + hash): the witness for the annual report')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;audit;init' {
            [CompletionResult]::new('--grant', '--grant', [CompletionResultType]::ParameterName, 'Grant this database role INSERT and SELECT on the log (repeatable)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be done, change nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;audit;record' {
            [CompletionResult]::new('--instruction', '--instruction', [CompletionResultType]::ParameterName, 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'Reference of the incident this keeps the service running for, e.g. INC-2026-113')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Free text to go with the reference (free text alone is not a reason)')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'What was done, as a dotted action name, e.g. `manual.console.rds-modify`')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant concerned; --detail is then stored encrypted under its key')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'The resource concerned, e.g. an ARN or table')
            [CompletionResult]::new('--detail', '--detail', [CompletionResultType]::ParameterName, 'What exactly was changed (may name personal data: give --tenant)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be recorded, record nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;audit;show' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before TIME')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Only events by this user (e-mail) or ARN')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Only this action, or a prefix ending in `.` (e.g. `tenant.`)')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only events about this tenant')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Only the last N matching events')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read an exported evidence file instead of the configured store')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;audit;verify' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Verify an exported evidence file instead of the configured store')
            [CompletionResult]::new('--expect-head', '--expect-head', [CompletionResultType]::ParameterName, 'The recorded head (SEQ:HASH from `ltops audit head` or the annual report)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;audit;export' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The evidence file to write (refuses to overwrite)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;audit;head' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;audit;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the audit store (Postgres schema ltops_audit, or the log file) and grant roles')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Document an intervention made outside ltops (console, psql) with its reason')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'List events, newest last, with each intent''s outcome')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute every hash and link; exit 1 and name the first broken seq when broken')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the log as a JSONL evidence file ending in its head hash')
            [CompletionResult]::new('head', 'head', [CompletionResultType]::ParameterValue, 'Print the head (seq + hash): the witness for the annual report')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;audit;help;init' {
            break
        }
        'ltops;audit;help;record' {
            break
        }
        'ltops;audit;help;show' {
            break
        }
        'ltops;audit;help;verify' {
            break
        }
        'ltops;audit;help;export' {
            break
        }
        'ltops;audit;help;head' {
            break
        }
        'ltops;audit;help;help' {
            break
        }
        'ltops;tenant' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the tenants in the database and those erased (from the ledger)')
            [CompletionResult]::new('inventory', 'inventory', [CompletionResultType]::ParameterValue, 'Rows per table: what an erasure deletes, what it keeps (until when, on which basis)')
            [CompletionResult]::new('erase', 'erase', [CompletionResultType]::ParameterValue, 'Erase a tenant on the customer''s documented instruction')
            [CompletionResult]::new('ledger', 'ledger', [CompletionResultType]::ParameterValue, 'The erasure ledger: erased tenants, when, by whom, on whose instruction')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;tenant;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;tenant;inventory' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;tenant;erase' {
            [CompletionResult]::new('--instruction', '--instruction', [CompletionResultType]::ParameterName, 'Reference of the customer''s documented deletion instruction, e.g. TICKET-4711')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Free text to go with the reference')
            [CompletionResult]::new('--confirm', '--confirm', [CompletionResultType]::ParameterName, 'Without a terminal: the tenant id typed again, as confirmation (with --yes)')
            [CompletionResult]::new('--certificate', '--certificate', [CompletionResultType]::ParameterName, 'Write the erasure certificate for the customer (.md or .json)')
            [CompletionResult]::new('--approval', '--approval', [CompletionResultType]::ParameterName, 'Run under the approval request ID, approved by another person for exactly this plan')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'With --break-glass (if approvals.tenant.erase allows it): the incident that cannot wait')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan, change nothing')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Finish an interrupted batched erasure of this tenant')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'Show the plan and record an approval request for it; change nothing')
            [CompletionResult]::new('--break-glass', '--break-glass', [CompletionResultType]::ParameterName, 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;tenant;ledger' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;tenant;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the tenants in the database and those erased (from the ledger)')
            [CompletionResult]::new('inventory', 'inventory', [CompletionResultType]::ParameterValue, 'Rows per table: what an erasure deletes, what it keeps (until when, on which basis)')
            [CompletionResult]::new('erase', 'erase', [CompletionResultType]::ParameterValue, 'Erase a tenant on the customer''s documented instruction')
            [CompletionResult]::new('ledger', 'ledger', [CompletionResultType]::ParameterValue, 'The erasure ledger: erased tenants, when, by whom, on whose instruction')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;tenant;help;list' {
            break
        }
        'ltops;tenant;help;inventory' {
            break
        }
        'ltops;tenant;help;erase' {
            break
        }
        'ltops;tenant;help;ledger' {
            break
        }
        'ltops;tenant;help;help' {
            break
        }
        'ltops;restore' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what a restore to TIME would do: window, target, settings, erasures to re-apply')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Restore to TIME into a new target, wait, re-apply erasures, check the copy')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Restores made by ltops (in progress and done)')
            [CompletionResult]::new('reapply-erasures', 'reapply-erasures', [CompletionResultType]::ParameterValue, 'Re-apply the erasures recorded after a restored copy''s restore time')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;restore;plan' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The Aurora cluster to restore')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'The RDS instance to restore')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The time to restore to: RFC 3339 with an offset, `latest`, or -15m / -2h')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The new cluster/instance id [default: <source>-pitr-<yyyymmddthhmmz>]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;restore;run' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The Aurora cluster to restore')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'The RDS instance to restore')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The time to restore to: RFC 3339 with an offset, `latest`, or -15m / -2h')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The new cluster/instance id [default: <source>-pitr-<yyyymmddthhmmz>]')
            [CompletionResult]::new('--instruction', '--instruction', [CompletionResultType]::ParameterName, 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'Reference of the incident this keeps the service running for, e.g. INC-2026-113')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Free text to go with the reference (free text alone is not a reason)')
            [CompletionResult]::new('--approval', '--approval', [CompletionResultType]::ParameterName, 'Run under the approval request ID, approved by another person for exactly this plan')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan, change nothing')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Start the restore and return; re-apply erasures later with `restore reapply-erasures`')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'Show the plan and record an approval request for it; change nothing')
            [CompletionResult]::new('--break-glass', '--break-glass', [CompletionResultType]::ParameterName, 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;restore;status' {
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only this restored cluster/instance')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;restore;reapply-erasures' {
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The restored cluster/instance')
            [CompletionResult]::new('--instruction', '--instruction', [CompletionResultType]::ParameterName, 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'Reference of the incident this keeps the service running for, e.g. INC-2026-113')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Free text to go with the reference (free text alone is not a reason)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be erased, change nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;restore;help' {
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what a restore to TIME would do: window, target, settings, erasures to re-apply')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Restore to TIME into a new target, wait, re-apply erasures, check the copy')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Restores made by ltops (in progress and done)')
            [CompletionResult]::new('reapply-erasures', 'reapply-erasures', [CompletionResultType]::ParameterValue, 'Re-apply the erasures recorded after a restored copy''s restore time')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;restore;help;plan' {
            break
        }
        'ltops;restore;help;run' {
            break
        }
        'ltops;restore;help;status' {
            break
        }
        'ltops;restore;help;reapply-erasures' {
            break
        }
        'ltops;restore;help;help' {
            break
        }
        'ltops;retention' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete retained rows of erased tenants whose statutory period has ended')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;retention;purge' {
            [CompletionResult]::new('--instruction', '--instruction', [CompletionResultType]::ParameterName, 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'Reference of the incident this keeps the service running for, e.g. INC-2026-113')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Free text to go with the reference (free text alone is not a reason)')
            [CompletionResult]::new('--approval', '--approval', [CompletionResultType]::ParameterName, 'Run under the approval request ID, approved by another person for exactly this plan')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what is due, delete nothing')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'Show the plan and record an approval request for it; change nothing')
            [CompletionResult]::new('--break-glass', '--break-glass', [CompletionResultType]::ParameterName, 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;retention;help' {
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete retained rows of erased tenants whose statutory period has ended')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;retention;help;purge' {
            break
        }
        'ltops;retention;help;help' {
            break
        }
        'ltops;intervene' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set columns of rows named by key (table and key from the data map)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete rows named by key (table and key from the data map)')
            [CompletionResult]::new('sql', 'sql', [CompletionResultType]::ParameterValue, 'Run one INSERT, UPDATE or DELETE, checked and scoped to the tenant')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List past interventions from the audit log')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;intervene;set' {
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'A table of the data map (policies/datamap.yaml), e.g. leads')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The key of a row, for tables with a one-column key (repeatable)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=…')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The new value of a column, as PostgreSQL reads it (repeatable); json/jsonb columns take JSON')
            [CompletionResult]::new('--set-null', '--set-null', [CompletionResultType]::ParameterName, 'Set a column to NULL (repeatable)')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant whose data is changed; the transaction cannot see any other')
            [CompletionResult]::new('--instruction', '--instruction', [CompletionResultType]::ParameterName, 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'Reference of the incident this keeps the service running for, e.g. INC-2026-113')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Free text to go with the reference (free text alone is not a reason)')
            [CompletionResult]::new('--max-rows', '--max-rows', [CompletionResultType]::ParameterName, 'Allow up to N affected rows [default: intervene.max_rows of the config, else 100]')
            [CompletionResult]::new('--approval', '--approval', [CompletionResultType]::ParameterName, 'Run under the approval request ID, approved by another person for exactly this plan')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the preview (every affected row before and after), then roll back; record nothing')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'Show the plan and record an approval request for it; change nothing')
            [CompletionResult]::new('--break-glass', '--break-glass', [CompletionResultType]::ParameterName, 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;intervene;delete' {
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'A table of the data map (policies/datamap.yaml), e.g. leads')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The key of a row, for tables with a one-column key (repeatable)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=…')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant whose data is changed; the transaction cannot see any other')
            [CompletionResult]::new('--instruction', '--instruction', [CompletionResultType]::ParameterName, 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'Reference of the incident this keeps the service running for, e.g. INC-2026-113')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Free text to go with the reference (free text alone is not a reason)')
            [CompletionResult]::new('--max-rows', '--max-rows', [CompletionResultType]::ParameterName, 'Allow up to N affected rows [default: intervene.max_rows of the config, else 100]')
            [CompletionResult]::new('--approval', '--approval', [CompletionResultType]::ParameterName, 'Run under the approval request ID, approved by another person for exactly this plan')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the preview (every affected row before and after), then roll back; record nothing')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'Show the plan and record an approval request for it; change nothing')
            [CompletionResult]::new('--break-glass', '--break-glass', [CompletionResultType]::ParameterName, 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;intervene;sql' {
            [CompletionResult]::new('--sql', '--sql', [CompletionResultType]::ParameterName, 'The statement: exactly one INSERT, UPDATE or DELETE on tables of the data map, without RETURNING')
            [CompletionResult]::new('--sql-file', '--sql-file', [CompletionResultType]::ParameterName, 'Read the statement from FILE (`-` for stdin)')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant whose data is changed; the transaction cannot see any other')
            [CompletionResult]::new('--instruction', '--instruction', [CompletionResultType]::ParameterName, 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'Reference of the incident this keeps the service running for, e.g. INC-2026-113')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Free text to go with the reference (free text alone is not a reason)')
            [CompletionResult]::new('--max-rows', '--max-rows', [CompletionResultType]::ParameterName, 'Allow up to N affected rows [default: intervene.max_rows of the config, else 100]')
            [CompletionResult]::new('--approval', '--approval', [CompletionResultType]::ParameterName, 'Run under the approval request ID, approved by another person for exactly this plan')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the preview (every affected row before and after), then roll back; record nothing')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'Show the plan and record an approval request for it; change nothing')
            [CompletionResult]::new('--break-glass', '--break-glass', [CompletionResultType]::ParameterName, 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;intervene;list' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only interventions on this tenant')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only interventions at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Only the last N interventions')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--images', '--images', [CompletionResultType]::ParameterName, 'Also show the statements and the before/after images (decrypted with the tenant key, if it still exists)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;intervene;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set columns of rows named by key (table and key from the data map)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete rows named by key (table and key from the data map)')
            [CompletionResult]::new('sql', 'sql', [CompletionResultType]::ParameterValue, 'Run one INSERT, UPDATE or DELETE, checked and scoped to the tenant')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List past interventions from the audit log')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;intervene;help;set' {
            break
        }
        'ltops;intervene;help;delete' {
            break
        }
        'ltops;intervene;help;sql' {
            break
        }
        'ltops;intervene;help;list' {
            break
        }
        'ltops;intervene;help;help' {
            break
        }
        'ltops;inspect' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant whose data is read; the transaction cannot see any other')
            [CompletionResult]::new('--instruction', '--instruction', [CompletionResultType]::ParameterName, 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711')
            [CompletionResult]::new('--incident', '--incident', [CompletionResultType]::ParameterName, 'Reference of the incident this keeps the service running for, e.g. INC-2026-113')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Free text to go with the reference (free text alone is not a reason)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'A table of the data map (policies/datamap.yaml), e.g. leads')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The key of a row, for tables with a one-column key (repeatable; with --table)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=… (with --table)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Only rows whose COLUMN equals VALUE, as PostgreSQL reads it for the column (repeatable; with --table)')
            [CompletionResult]::new('--sql', '--sql', [CompletionResultType]::ParameterName, 'The statement: exactly one SELECT on tables of the data map (`-` reads it from stdin)')
            [CompletionResult]::new('--sql-file', '--sql-file', [CompletionResultType]::ParameterName, 'Read the statement from FILE (`-` for stdin)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Return at most N rows (within the row cap)')
            [CompletionResult]::new('--max-rows', '--max-rows', [CompletionResultType]::ParameterName, 'Show at most N rows [default: inspect.max_rows of the config, else 50]')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show this personal column in clear (repeatable; a terminal and --format table only; recorded)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List past reads from the audit log')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;inspect;list' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only reads of this tenant')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only reads at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Only the last N reads')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--statements', '--statements', [CompletionResultType]::ParameterName, 'Also show the statements (decrypted with the tenant key, if it still exists)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;inspect;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List past reads from the audit log')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;inspect;help;list' {
            break
        }
        'ltops;inspect;help;help' {
            break
        }
        'ltops;tom' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('controls', 'controls', [CompletionResultType]::ParameterValue, 'List the controls of the catalog (policies/tom) and their coverage of TOM.de.md')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check every control against AWS, the database and the audit log; exit 1 on any finding')
            [CompletionResult]::new('attest', 'attest', [CompletionResultType]::ParameterValue, 'Attest organisational controls with evidence; recorded in the audit log')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write the annual report (Markdown or HTML, German by default) and its JSON')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;tom;controls' {
            [CompletionResult]::new('--section', '--section', [CompletionResultType]::ParameterName, 'Only the controls of this TOM section (0 = preamble)')
            [CompletionResult]::new('--tom', '--tom', [CompletionResultType]::ParameterName, 'TOM.de.md to measure coverage against [default: $LTOPS_TOM_MD, then shared/TOM.de.md or TOM.de.md in or above the policies folder]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;tom;check' {
            [CompletionResult]::new('--section', '--section', [CompletionResultType]::ParameterName, 'Only the controls of this TOM section (0 = preamble)')
            [CompletionResult]::new('--control', '--control', [CompletionResultType]::ParameterName, 'Only this control, e.g. TOM-4.2')
            [CompletionResult]::new('--accounts', '--accounts', [CompletionResultType]::ParameterName, 'AWS accounts to review through the SSO portal: `all` (every account your SSO sign-in reaches) or IDs separated by commas [default: tom.accounts in ltops.yaml, else the profile''s account]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'AWS calls in flight at most (1 = one after another)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;tom;attest' {
            [CompletionResult]::new('--evidence', '--evidence', [CompletionResultType]::ParameterName, 'What shows the measure is in place: a text or a URL (protocol, photo, signed list)')
            [CompletionResult]::new('--valid-for', '--valid-for', [CompletionResultType]::ParameterName, 'How long the attestation holds, e.g. 12mo, 6mo, 90d [default: the control''s valid_for, else 12mo]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be recorded, record nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;tom;report' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The report to write: FILE.md or FILE.html; FILE.json is written beside it (never overwritten)')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of the report')
            [CompletionResult]::new('--previous', '--previous', [CompletionResultType]::ParameterName, 'The previous report''s JSON, to show what changed since')
            [CompletionResult]::new('--accounts', '--accounts', [CompletionResultType]::ParameterName, 'AWS accounts to review through the SSO portal: `all` (every account your SSO sign-in reaches) or IDs separated by commas [default: tom.accounts in ltops.yaml, else the profile''s account]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'AWS calls in flight at most (1 = one after another)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;tom;help' {
            [CompletionResult]::new('controls', 'controls', [CompletionResultType]::ParameterValue, 'List the controls of the catalog (policies/tom) and their coverage of TOM.de.md')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check every control against AWS, the database and the audit log; exit 1 on any finding')
            [CompletionResult]::new('attest', 'attest', [CompletionResultType]::ParameterValue, 'Attest organisational controls with evidence; recorded in the audit log')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write the annual report (Markdown or HTML, German by default) and its JSON')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;tom;help;controls' {
            break
        }
        'ltops;tom;help;check' {
            break
        }
        'ltops;tom;help;attest' {
            break
        }
        'ltops;tom;help;report' {
            break
        }
        'ltops;tom;help;help' {
            break
        }
        'ltops;approvals' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Approval requests and break-glass uses still waiting for someone, with their plans')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a request (or a break-glass use, afterwards) after reviewing its plan')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Deny a request or a break-glass use, saying why')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Pin this config''s `approvals` policy in the audit log (admins): every gated run then applies it, whatever an operator''s own ltops.yaml says; it can only be made stricter')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;approvals;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every request with its story: requested, approved or denied, used, expired')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;approvals;approve' {
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Free text to go with the approval')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;approvals;deny' {
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'Why it is denied (mandatory)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;approvals;pin' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the pinned and the proposed policy, change nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;approvals;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Approval requests and break-glass uses still waiting for someone, with their plans')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a request (or a break-glass use, afterwards) after reviewing its plan')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Deny a request or a break-glass use, saying why')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Pin this config''s `approvals` policy in the audit log (admins): every gated run then applies it, whatever an operator''s own ltops.yaml says; it can only be made stricter')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;approvals;help;list' {
            break
        }
        'ltops;approvals;help;approve' {
            break
        }
        'ltops;approvals;help;deny' {
            break
        }
        'ltops;approvals;help;pin' {
            break
        }
        'ltops;approvals;help;help' {
            break
        }
        'ltops;config' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the settings ltops resolved from flags, environment and the config file')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the config file (exit 2 with file:line:column when it is malformed)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;config;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;config;check' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the settings ltops resolved from flags, environment and the config file')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the config file (exit 2 with file:line:column when it is malformed)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;config;help;show' {
            break
        }
        'ltops;config;help;check' {
            break
        }
        'ltops;config;help;help' {
            break
        }
        'ltops;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write one page per command into this folder instead of printing ltops(1)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: from the config file, then the profile]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the data written to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (needed for mutating commands without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt, even on a terminal; refuse instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ltops;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in with AWS SSO (device authorization); shares its token cache with `aws sso login`')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Sign out: revoke the SSO token at the portal and delete it from the cache')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who you are in AWS and which mutating commands you may run')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'The tamper-evident audit log: show, verify, export, head; document interventions')
            [CompletionResult]::new('tenant', 'tenant', [CompletionResultType]::ParameterValue, 'Tenants: list, inventory, erasure on the customer''s instruction, the erasure ledger')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Point-in-time restore: plan, run, status, re-apply erasures to a restored copy')
            [CompletionResult]::new('retention', 'retention', [CompletionResultType]::ParameterValue, 'Statutory retention: purge rows kept after erasures once their period has ended')
            [CompletionResult]::new('intervene', 'intervene', [CompletionResultType]::ParameterValue, 'Correct customer data: one tenant, a reason, a preview with before/after images, recorded')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Read customer data: one tenant, a reason, personal columns masked, recorded, never stored')
            [CompletionResult]::new('tom', 'tom', [CompletionResultType]::ParameterValue, 'The annual TOM review (§9): controls, live checks, attestations, the report')
            [CompletionResult]::new('approvals', 'approvals', [CompletionResultType]::ParameterValue, 'Four eyes on irreversible actions: list approval requests, approve or deny them')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Inspect the resolved configuration')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages (roff) to stdout or to a folder')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ltops;help;login' {
            break
        }
        'ltops;help;logout' {
            break
        }
        'ltops;help;whoami' {
            break
        }
        'ltops;help;audit' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the audit store (Postgres schema ltops_audit, or the log file) and grant roles')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Document an intervention made outside ltops (console, psql) with its reason')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'List events, newest last, with each intent''s outcome')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute every hash and link; exit 1 and name the first broken seq when broken')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the log as a JSONL evidence file ending in its head hash')
            [CompletionResult]::new('head', 'head', [CompletionResultType]::ParameterValue, 'Print the head (seq + hash): the witness for the annual report')
            break
        }
        'ltops;help;audit;init' {
            break
        }
        'ltops;help;audit;record' {
            break
        }
        'ltops;help;audit;show' {
            break
        }
        'ltops;help;audit;verify' {
            break
        }
        'ltops;help;audit;export' {
            break
        }
        'ltops;help;audit;head' {
            break
        }
        'ltops;help;tenant' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the tenants in the database and those erased (from the ledger)')
            [CompletionResult]::new('inventory', 'inventory', [CompletionResultType]::ParameterValue, 'Rows per table: what an erasure deletes, what it keeps (until when, on which basis)')
            [CompletionResult]::new('erase', 'erase', [CompletionResultType]::ParameterValue, 'Erase a tenant on the customer''s documented instruction')
            [CompletionResult]::new('ledger', 'ledger', [CompletionResultType]::ParameterValue, 'The erasure ledger: erased tenants, when, by whom, on whose instruction')
            break
        }
        'ltops;help;tenant;list' {
            break
        }
        'ltops;help;tenant;inventory' {
            break
        }
        'ltops;help;tenant;erase' {
            break
        }
        'ltops;help;tenant;ledger' {
            break
        }
        'ltops;help;restore' {
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what a restore to TIME would do: window, target, settings, erasures to re-apply')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Restore to TIME into a new target, wait, re-apply erasures, check the copy')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Restores made by ltops (in progress and done)')
            [CompletionResult]::new('reapply-erasures', 'reapply-erasures', [CompletionResultType]::ParameterValue, 'Re-apply the erasures recorded after a restored copy''s restore time')
            break
        }
        'ltops;help;restore;plan' {
            break
        }
        'ltops;help;restore;run' {
            break
        }
        'ltops;help;restore;status' {
            break
        }
        'ltops;help;restore;reapply-erasures' {
            break
        }
        'ltops;help;retention' {
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete retained rows of erased tenants whose statutory period has ended')
            break
        }
        'ltops;help;retention;purge' {
            break
        }
        'ltops;help;intervene' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set columns of rows named by key (table and key from the data map)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete rows named by key (table and key from the data map)')
            [CompletionResult]::new('sql', 'sql', [CompletionResultType]::ParameterValue, 'Run one INSERT, UPDATE or DELETE, checked and scoped to the tenant')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List past interventions from the audit log')
            break
        }
        'ltops;help;intervene;set' {
            break
        }
        'ltops;help;intervene;delete' {
            break
        }
        'ltops;help;intervene;sql' {
            break
        }
        'ltops;help;intervene;list' {
            break
        }
        'ltops;help;inspect' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List past reads from the audit log')
            break
        }
        'ltops;help;inspect;list' {
            break
        }
        'ltops;help;tom' {
            [CompletionResult]::new('controls', 'controls', [CompletionResultType]::ParameterValue, 'List the controls of the catalog (policies/tom) and their coverage of TOM.de.md')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check every control against AWS, the database and the audit log; exit 1 on any finding')
            [CompletionResult]::new('attest', 'attest', [CompletionResultType]::ParameterValue, 'Attest organisational controls with evidence; recorded in the audit log')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write the annual report (Markdown or HTML, German by default) and its JSON')
            break
        }
        'ltops;help;tom;controls' {
            break
        }
        'ltops;help;tom;check' {
            break
        }
        'ltops;help;tom;attest' {
            break
        }
        'ltops;help;tom;report' {
            break
        }
        'ltops;help;approvals' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Approval requests and break-glass uses still waiting for someone, with their plans')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a request (or a break-glass use, afterwards) after reviewing its plan')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Deny a request or a break-glass use, saying why')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Pin this config''s `approvals` policy in the audit log (admins): every gated run then applies it, whatever an operator''s own ltops.yaml says; it can only be made stricter')
            break
        }
        'ltops;help;approvals;list' {
            break
        }
        'ltops;help;approvals;approve' {
            break
        }
        'ltops;help;approvals;deny' {
            break
        }
        'ltops;help;approvals;pin' {
            break
        }
        'ltops;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the settings ltops resolved from flags, environment and the config file')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the config file (exit 2 with file:line:column when it is malformed)')
            break
        }
        'ltops;help;config;show' {
            break
        }
        'ltops;help;config;check' {
            break
        }
        'ltops;help;completions' {
            break
        }
        'ltops;help;man' {
            break
        }
        'ltops;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
