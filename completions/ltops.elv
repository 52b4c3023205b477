
use builtin;
use str;

set edit:completion:arg-completer[ltops] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ltops'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ltops'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand login 'Sign in with AWS SSO (device authorization); shares its token cache with `aws sso login`'
            cand logout 'Sign out: revoke the SSO token at the portal and delete it from the cache'
            cand whoami 'Show who you are in AWS and which mutating commands you may run'
            cand audit 'The tamper-evident audit log: show, verify, export, head; document interventions'
            cand tenant 'Tenants: list, inventory, erasure on the customer''s instruction, the erasure ledger'
            cand restore 'Point-in-time restore: plan, run, status, re-apply erasures to a restored copy'
            cand retention 'Statutory retention: purge rows kept after erasures once their period has ended'
            cand intervene 'Correct customer data: one tenant, a reason, a preview with before/after images, recorded'
            cand inspect 'Read customer data: one tenant, a reason, personal columns masked, recorded, never stored'
            cand tom 'The annual TOM review (§9): controls, live checks, attestations, the report'
            cand approvals 'Four eyes on irreversible actions: list approval requests, approve or deny them'
            cand config 'Inspect the resolved configuration'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Write the man pages (roff) to stdout or to a folder'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;login'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --no-browser 'Do not try to open a browser; only print the URL and code'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;logout'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;whoami'= {
            cand --can 'Answer whether this identity may run COMMAND (exit 0 yes, 1 no), e.g. `tenant.erase`'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;audit'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create the audit store (Postgres schema ltops_audit, or the log file) and grant roles'
            cand record 'Document an intervention made outside ltops (console, psql) with its reason'
            cand show 'List events, newest last, with each intent''s outcome'
            cand verify 'Recompute every hash and link; exit 1 and name the first broken seq when broken'
            cand export 'Write the log as a JSONL evidence file ending in its head hash'
            cand head 'Print the head (seq + hash): the witness for the annual report'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;audit;init'= {
            cand --grant 'Grant this database role INSERT and SELECT on the log (repeatable)'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show what would be done, change nothing'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;audit;record'= {
            cand --instruction 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711'
            cand --incident 'Reference of the incident this keeps the service running for, e.g. INC-2026-113'
            cand --note 'Free text to go with the reference (free text alone is not a reason)'
            cand --action 'What was done, as a dotted action name, e.g. `manual.console.rds-modify`'
            cand --tenant 'The tenant concerned; --detail is then stored encrypted under its key'
            cand --resource 'The resource concerned, e.g. an ARN or table'
            cand --detail 'What exactly was changed (may name personal data: give --tenant)'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show what would be recorded, record nothing'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;audit;show'= {
            cand --since 'Only events at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)'
            cand --until 'Only events before TIME'
            cand --actor 'Only events by this user (e-mail) or ARN'
            cand --action 'Only this action, or a prefix ending in `.` (e.g. `tenant.`)'
            cand --tenant 'Only events about this tenant'
            cand --limit 'Only the last N matching events'
            cand --file 'Read an exported evidence file instead of the configured store'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;audit;verify'= {
            cand --file 'Verify an exported evidence file instead of the configured store'
            cand --expect-head 'The recorded head (SEQ:HASH from `ltops audit head` or the annual report)'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;audit;export'= {
            cand --out 'The evidence file to write (refuses to overwrite)'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;audit;head'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;audit;help'= {
            cand init 'Create the audit store (Postgres schema ltops_audit, or the log file) and grant roles'
            cand record 'Document an intervention made outside ltops (console, psql) with its reason'
            cand show 'List events, newest last, with each intent''s outcome'
            cand verify 'Recompute every hash and link; exit 1 and name the first broken seq when broken'
            cand export 'Write the log as a JSONL evidence file ending in its head hash'
            cand head 'Print the head (seq + hash): the witness for the annual report'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;audit;help;init'= {
        }
        &'ltops;audit;help;record'= {
        }
        &'ltops;audit;help;show'= {
        }
        &'ltops;audit;help;verify'= {
        }
        &'ltops;audit;help;export'= {
        }
        &'ltops;audit;help;head'= {
        }
        &'ltops;audit;help;help'= {
        }
        &'ltops;tenant'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the tenants in the database and those erased (from the ledger)'
            cand inventory 'Rows per table: what an erasure deletes, what it keeps (until when, on which basis)'
            cand erase 'Erase a tenant on the customer''s documented instruction'
            cand ledger 'The erasure ledger: erased tenants, when, by whom, on whose instruction'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;tenant;list'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;tenant;inventory'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;tenant;erase'= {
            cand --instruction 'Reference of the customer''s documented deletion instruction, e.g. TICKET-4711'
            cand --note 'Free text to go with the reference'
            cand --confirm 'Without a terminal: the tenant id typed again, as confirmation (with --yes)'
            cand --certificate 'Write the erasure certificate for the customer (.md or .json)'
            cand --approval 'Run under the approval request ID, approved by another person for exactly this plan'
            cand --incident 'With --break-glass (if approvals.tenant.erase allows it): the incident that cannot wait'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show the plan, change nothing'
            cand --resume 'Finish an interrupted batched erasure of this tenant'
            cand --request 'Show the plan and record an approval request for it; change nothing'
            cand --break-glass 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;tenant;ledger'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;tenant;help'= {
            cand list 'List the tenants in the database and those erased (from the ledger)'
            cand inventory 'Rows per table: what an erasure deletes, what it keeps (until when, on which basis)'
            cand erase 'Erase a tenant on the customer''s documented instruction'
            cand ledger 'The erasure ledger: erased tenants, when, by whom, on whose instruction'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;tenant;help;list'= {
        }
        &'ltops;tenant;help;inventory'= {
        }
        &'ltops;tenant;help;erase'= {
        }
        &'ltops;tenant;help;ledger'= {
        }
        &'ltops;tenant;help;help'= {
        }
        &'ltops;restore'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand plan 'Show what a restore to TIME would do: window, target, settings, erasures to re-apply'
            cand run 'Restore to TIME into a new target, wait, re-apply erasures, check the copy'
            cand status 'Restores made by ltops (in progress and done)'
            cand reapply-erasures 'Re-apply the erasures recorded after a restored copy''s restore time'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;restore;plan'= {
            cand --cluster 'The Aurora cluster to restore'
            cand --instance 'The RDS instance to restore'
            cand --to 'The time to restore to: RFC 3339 with an offset, `latest`, or -15m / -2h'
            cand --target 'The new cluster/instance id [default: <source>-pitr-<yyyymmddthhmmz>]'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;restore;run'= {
            cand --cluster 'The Aurora cluster to restore'
            cand --instance 'The RDS instance to restore'
            cand --to 'The time to restore to: RFC 3339 with an offset, `latest`, or -15m / -2h'
            cand --target 'The new cluster/instance id [default: <source>-pitr-<yyyymmddthhmmz>]'
            cand --instruction 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711'
            cand --incident 'Reference of the incident this keeps the service running for, e.g. INC-2026-113'
            cand --note 'Free text to go with the reference (free text alone is not a reason)'
            cand --approval 'Run under the approval request ID, approved by another person for exactly this plan'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show the plan, change nothing'
            cand --no-wait 'Start the restore and return; re-apply erasures later with `restore reapply-erasures`'
            cand --request 'Show the plan and record an approval request for it; change nothing'
            cand --break-glass 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;restore;status'= {
            cand --target 'Only this restored cluster/instance'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;restore;reapply-erasures'= {
            cand --target 'The restored cluster/instance'
            cand --instruction 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711'
            cand --incident 'Reference of the incident this keeps the service running for, e.g. INC-2026-113'
            cand --note 'Free text to go with the reference (free text alone is not a reason)'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show what would be erased, change nothing'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;restore;help'= {
            cand plan 'Show what a restore to TIME would do: window, target, settings, erasures to re-apply'
            cand run 'Restore to TIME into a new target, wait, re-apply erasures, check the copy'
            cand status 'Restores made by ltops (in progress and done)'
            cand reapply-erasures 'Re-apply the erasures recorded after a restored copy''s restore time'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;restore;help;plan'= {
        }
        &'ltops;restore;help;run'= {
        }
        &'ltops;restore;help;status'= {
        }
        &'ltops;restore;help;reapply-erasures'= {
        }
        &'ltops;restore;help;help'= {
        }
        &'ltops;retention'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand purge 'Delete retained rows of erased tenants whose statutory period has ended'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;retention;purge'= {
            cand --instruction 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711'
            cand --incident 'Reference of the incident this keeps the service running for, e.g. INC-2026-113'
            cand --note 'Free text to go with the reference (free text alone is not a reason)'
            cand --approval 'Run under the approval request ID, approved by another person for exactly this plan'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show what is due, delete nothing'
            cand --request 'Show the plan and record an approval request for it; change nothing'
            cand --break-glass 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;retention;help'= {
            cand purge 'Delete retained rows of erased tenants whose statutory period has ended'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;retention;help;purge'= {
        }
        &'ltops;retention;help;help'= {
        }
        &'ltops;intervene'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand set 'Set columns of rows named by key (table and key from the data map)'
            cand delete 'Delete rows named by key (table and key from the data map)'
            cand sql 'Run one INSERT, UPDATE or DELETE, checked and scoped to the tenant'
            cand list 'List past interventions from the audit log'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;intervene;set'= {
            cand --table 'A table of the data map (policies/datamap.yaml), e.g. leads'
            cand --id 'The key of a row, for tables with a one-column key (repeatable)'
            cand --key 'One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=…'
            cand --set 'The new value of a column, as PostgreSQL reads it (repeatable); json/jsonb columns take JSON'
            cand --set-null 'Set a column to NULL (repeatable)'
            cand --tenant 'The tenant whose data is changed; the transaction cannot see any other'
            cand --instruction 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711'
            cand --incident 'Reference of the incident this keeps the service running for, e.g. INC-2026-113'
            cand --note 'Free text to go with the reference (free text alone is not a reason)'
            cand --max-rows 'Allow up to N affected rows [default: intervene.max_rows of the config, else 100]'
            cand --approval 'Run under the approval request ID, approved by another person for exactly this plan'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show the preview (every affected row before and after), then roll back; record nothing'
            cand --request 'Show the plan and record an approval request for it; change nothing'
            cand --break-glass 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;intervene;delete'= {
            cand --table 'A table of the data map (policies/datamap.yaml), e.g. leads'
            cand --id 'The key of a row, for tables with a one-column key (repeatable)'
            cand --key 'One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=…'
            cand --tenant 'The tenant whose data is changed; the transaction cannot see any other'
            cand --instruction 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711'
            cand --incident 'Reference of the incident this keeps the service running for, e.g. INC-2026-113'
            cand --note 'Free text to go with the reference (free text alone is not a reason)'
            cand --max-rows 'Allow up to N affected rows [default: intervene.max_rows of the config, else 100]'
            cand --approval 'Run under the approval request ID, approved by another person for exactly this plan'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show the preview (every affected row before and after), then roll back; record nothing'
            cand --request 'Show the plan and record an approval request for it; change nothing'
            cand --break-glass 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;intervene;sql'= {
            cand --sql 'The statement: exactly one INSERT, UPDATE or DELETE on tables of the data map, without RETURNING'
            cand --sql-file 'Read the statement from FILE (`-` for stdin)'
            cand --tenant 'The tenant whose data is changed; the transaction cannot see any other'
            cand --instruction 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711'
            cand --incident 'Reference of the incident this keeps the service running for, e.g. INC-2026-113'
            cand --note 'Free text to go with the reference (free text alone is not a reason)'
            cand --max-rows 'Allow up to N affected rows [default: intervene.max_rows of the config, else 100]'
            cand --approval 'Run under the approval request ID, approved by another person for exactly this plan'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show the preview (every affected row before and after), then roll back; record nothing'
            cand --request 'Show the plan and record an approval request for it; change nothing'
            cand --break-glass 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;intervene;list'= {
            cand --tenant 'Only interventions on this tenant'
            cand --since 'Only interventions at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)'
            cand --limit 'Only the last N interventions'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --images 'Also show the statements and the before/after images (decrypted with the tenant key, if it still exists)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;intervene;help'= {
            cand set 'Set columns of rows named by key (table and key from the data map)'
            cand delete 'Delete rows named by key (table and key from the data map)'
            cand sql 'Run one INSERT, UPDATE or DELETE, checked and scoped to the tenant'
            cand list 'List past interventions from the audit log'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;intervene;help;set'= {
        }
        &'ltops;intervene;help;delete'= {
        }
        &'ltops;intervene;help;sql'= {
        }
        &'ltops;intervene;help;list'= {
        }
        &'ltops;intervene;help;help'= {
        }
        &'ltops;inspect'= {
            cand --tenant 'The tenant whose data is read; the transaction cannot see any other'
            cand --instruction 'Reference of the controller''s (customer''s) documented instruction, e.g. TICKET-4711'
            cand --incident 'Reference of the incident this keeps the service running for, e.g. INC-2026-113'
            cand --note 'Free text to go with the reference (free text alone is not a reason)'
            cand --table 'A table of the data map (policies/datamap.yaml), e.g. leads'
            cand --id 'The key of a row, for tables with a one-column key (repeatable; with --table)'
            cand --key 'One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=… (with --table)'
            cand --where 'Only rows whose COLUMN equals VALUE, as PostgreSQL reads it for the column (repeatable; with --table)'
            cand --sql 'The statement: exactly one SELECT on tables of the data map (`-` reads it from stdin)'
            cand --sql-file 'Read the statement from FILE (`-` for stdin)'
            cand --limit 'Return at most N rows (within the row cap)'
            cand --max-rows 'Show at most N rows [default: inspect.max_rows of the config, else 50]'
            cand --reveal 'Show this personal column in clear (repeatable; a terminal and --format table only; recorded)'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List past reads from the audit log'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;inspect;list'= {
            cand --tenant 'Only reads of this tenant'
            cand --since 'Only reads at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)'
            cand --limit 'Only the last N reads'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --statements 'Also show the statements (decrypted with the tenant key, if it still exists)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;inspect;help'= {
            cand list 'List past reads from the audit log'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;inspect;help;list'= {
        }
        &'ltops;inspect;help;help'= {
        }
        &'ltops;tom'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand controls 'List the controls of the catalog (policies/tom) and their coverage of TOM.de.md'
            cand check 'Check every control against AWS, the database and the audit log; exit 1 on any finding'
            cand attest 'Attest organisational controls with evidence; recorded in the audit log'
            cand report 'Write the annual report (Markdown or HTML, German by default) and its JSON'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;tom;controls'= {
            cand --section 'Only the controls of this TOM section (0 = preamble)'
            cand --tom 'TOM.de.md to measure coverage against [default: $LTOPS_TOM_MD, then shared/TOM.de.md or TOM.de.md in or above the policies folder]'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;tom;check'= {
            cand --section 'Only the controls of this TOM section (0 = preamble)'
            cand --control 'Only this control, e.g. TOM-4.2'
            cand --accounts 'AWS accounts to review through the SSO portal: `all` (every account your SSO sign-in reaches) or IDs separated by commas [default: tom.accounts in ltops.yaml, else the profile''s account]'
            cand --concurrency 'AWS calls in flight at most (1 = one after another)'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;tom;attest'= {
            cand --evidence 'What shows the measure is in place: a text or a URL (protocol, photo, signed list)'
            cand --valid-for 'How long the attestation holds, e.g. 12mo, 6mo, 90d [default: the control''s valid_for, else 12mo]'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show what would be recorded, record nothing'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;tom;report'= {
            cand --out 'The report to write: FILE.md or FILE.html; FILE.json is written beside it (never overwritten)'
            cand --lang 'Language of the report'
            cand --previous 'The previous report''s JSON, to show what changed since'
            cand --accounts 'AWS accounts to review through the SSO portal: `all` (every account your SSO sign-in reaches) or IDs separated by commas [default: tom.accounts in ltops.yaml, else the profile''s account]'
            cand --concurrency 'AWS calls in flight at most (1 = one after another)'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;tom;help'= {
            cand controls 'List the controls of the catalog (policies/tom) and their coverage of TOM.de.md'
            cand check 'Check every control against AWS, the database and the audit log; exit 1 on any finding'
            cand attest 'Attest organisational controls with evidence; recorded in the audit log'
            cand report 'Write the annual report (Markdown or HTML, German by default) and its JSON'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;tom;help;controls'= {
        }
        &'ltops;tom;help;check'= {
        }
        &'ltops;tom;help;attest'= {
        }
        &'ltops;tom;help;report'= {
        }
        &'ltops;tom;help;help'= {
        }
        &'ltops;approvals'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'Approval requests and break-glass uses still waiting for someone, with their plans'
            cand approve 'Approve a request (or a break-glass use, afterwards) after reviewing its plan'
            cand deny 'Deny a request or a break-glass use, saying why'
            cand pin 'Pin this config''s `approvals` policy in the audit log (admins): every gated run then applies it, whatever an operator''s own ltops.yaml says; it can only be made stricter'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;approvals;list'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --all 'Every request with its story: requested, approved or denied, used, expired'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;approvals;approve'= {
            cand --note 'Free text to go with the approval'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;approvals;deny'= {
            cand --note 'Why it is denied (mandatory)'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;approvals;pin'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand --dry-run 'Show the pinned and the proposed policy, change nothing'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;approvals;help'= {
            cand list 'Approval requests and break-glass uses still waiting for someone, with their plans'
            cand approve 'Approve a request (or a break-glass use, afterwards) after reviewing its plan'
            cand deny 'Deny a request or a break-glass use, saying why'
            cand pin 'Pin this config''s `approvals` policy in the audit log (admins): every gated run then applies it, whatever an operator''s own ltops.yaml says; it can only be made stricter'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;approvals;help;list'= {
        }
        &'ltops;approvals;help;approve'= {
        }
        &'ltops;approvals;help;deny'= {
        }
        &'ltops;approvals;help;pin'= {
        }
        &'ltops;approvals;help;help'= {
        }
        &'ltops;config'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Show the settings ltops resolved from flags, environment and the config file'
            cand check 'Validate the config file (exit 2 with file:line:column when it is malformed)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;config;show'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;config;check'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;config;help'= {
            cand show 'Show the settings ltops resolved from flags, environment and the config file'
            cand check 'Validate the config file (exit 2 with file:line:column when it is malformed)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;config;help;show'= {
        }
        &'ltops;config;help;check'= {
        }
        &'ltops;config;help;help'= {
        }
        &'ltops;completions'= {
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;man'= {
            cand --out-dir 'Write one page per command into this folder instead of printing ltops(1)'
            cand --config 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]'
            cand --profile 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]'
            cand --region 'AWS region [default: from the config file, then the profile]'
            cand --endpoint-url 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)'
            cand --format 'Output format of the data written to stdout'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand --yes 'Answer yes to confirmations (needed for mutating commands without a terminal)'
            cand --no-input 'Never prompt, even on a terminal; refuse instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ltops;help'= {
            cand login 'Sign in with AWS SSO (device authorization); shares its token cache with `aws sso login`'
            cand logout 'Sign out: revoke the SSO token at the portal and delete it from the cache'
            cand whoami 'Show who you are in AWS and which mutating commands you may run'
            cand audit 'The tamper-evident audit log: show, verify, export, head; document interventions'
            cand tenant 'Tenants: list, inventory, erasure on the customer''s instruction, the erasure ledger'
            cand restore 'Point-in-time restore: plan, run, status, re-apply erasures to a restored copy'
            cand retention 'Statutory retention: purge rows kept after erasures once their period has ended'
            cand intervene 'Correct customer data: one tenant, a reason, a preview with before/after images, recorded'
            cand inspect 'Read customer data: one tenant, a reason, personal columns masked, recorded, never stored'
            cand tom 'The annual TOM review (§9): controls, live checks, attestations, the report'
            cand approvals 'Four eyes on irreversible actions: list approval requests, approve or deny them'
            cand config 'Inspect the resolved configuration'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Write the man pages (roff) to stdout or to a folder'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ltops;help;login'= {
        }
        &'ltops;help;logout'= {
        }
        &'ltops;help;whoami'= {
        }
        &'ltops;help;audit'= {
            cand init 'Create the audit store (Postgres schema ltops_audit, or the log file) and grant roles'
            cand record 'Document an intervention made outside ltops (console, psql) with its reason'
            cand show 'List events, newest last, with each intent''s outcome'
            cand verify 'Recompute every hash and link; exit 1 and name the first broken seq when broken'
            cand export 'Write the log as a JSONL evidence file ending in its head hash'
            cand head 'Print the head (seq + hash): the witness for the annual report'
        }
        &'ltops;help;audit;init'= {
        }
        &'ltops;help;audit;record'= {
        }
        &'ltops;help;audit;show'= {
        }
        &'ltops;help;audit;verify'= {
        }
        &'ltops;help;audit;export'= {
        }
        &'ltops;help;audit;head'= {
        }
        &'ltops;help;tenant'= {
            cand list 'List the tenants in the database and those erased (from the ledger)'
            cand inventory 'Rows per table: what an erasure deletes, what it keeps (until when, on which basis)'
            cand erase 'Erase a tenant on the customer''s documented instruction'
            cand ledger 'The erasure ledger: erased tenants, when, by whom, on whose instruction'
        }
        &'ltops;help;tenant;list'= {
        }
        &'ltops;help;tenant;inventory'= {
        }
        &'ltops;help;tenant;erase'= {
        }
        &'ltops;help;tenant;ledger'= {
        }
        &'ltops;help;restore'= {
            cand plan 'Show what a restore to TIME would do: window, target, settings, erasures to re-apply'
            cand run 'Restore to TIME into a new target, wait, re-apply erasures, check the copy'
            cand status 'Restores made by ltops (in progress and done)'
            cand reapply-erasures 'Re-apply the erasures recorded after a restored copy''s restore time'
        }
        &'ltops;help;restore;plan'= {
        }
        &'ltops;help;restore;run'= {
        }
        &'ltops;help;restore;status'= {
        }
        &'ltops;help;restore;reapply-erasures'= {
        }
        &'ltops;help;retention'= {
            cand purge 'Delete retained rows of erased tenants whose statutory period has ended'
        }
        &'ltops;help;retention;purge'= {
        }
        &'ltops;help;intervene'= {
            cand set 'Set columns of rows named by key (table and key from the data map)'
            cand delete 'Delete rows named by key (table and key from the data map)'
            cand sql 'Run one INSERT, UPDATE or DELETE, checked and scoped to the tenant'
            cand list 'List past interventions from the audit log'
        }
        &'ltops;help;intervene;set'= {
        }
        &'ltops;help;intervene;delete'= {
        }
        &'ltops;help;intervene;sql'= {
        }
        &'ltops;help;intervene;list'= {
        }
        &'ltops;help;inspect'= {
            cand list 'List past reads from the audit log'
        }
        &'ltops;help;inspect;list'= {
        }
        &'ltops;help;tom'= {
            cand controls 'List the controls of the catalog (policies/tom) and their coverage of TOM.de.md'
            cand check 'Check every control against AWS, the database and the audit log; exit 1 on any finding'
            cand attest 'Attest organisational controls with evidence; recorded in the audit log'
            cand report 'Write the annual report (Markdown or HTML, German by default) and its JSON'
        }
        &'ltops;help;tom;controls'= {
        }
        &'ltops;help;tom;check'= {
        }
        &'ltops;help;tom;attest'= {
        }
        &'ltops;help;tom;report'= {
        }
        &'ltops;help;approvals'= {
            cand list 'Approval requests and break-glass uses still waiting for someone, with their plans'
            cand approve 'Approve a request (or a break-glass use, afterwards) after reviewing its plan'
            cand deny 'Deny a request or a break-glass use, saying why'
            cand pin 'Pin this config''s `approvals` policy in the audit log (admins): every gated run then applies it, whatever an operator''s own ltops.yaml says; it can only be made stricter'
        }
        &'ltops;help;approvals;list'= {
        }
        &'ltops;help;approvals;approve'= {
        }
        &'ltops;help;approvals;deny'= {
        }
        &'ltops;help;approvals;pin'= {
        }
        &'ltops;help;config'= {
            cand show 'Show the settings ltops resolved from flags, environment and the config file'
            cand check 'Validate the config file (exit 2 with file:line:column when it is malformed)'
        }
        &'ltops;help;config;show'= {
        }
        &'ltops;help;config;check'= {
        }
        &'ltops;help;completions'= {
        }
        &'ltops;help;man'= {
        }
        &'ltops;help;help'= {
        }
    ]
    $completions[$command]
}
