# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ltops_global_optspecs
    string join \n config= profile= region= endpoint-url= format= v/verbose q/quiet yes no-input h/help V/version
end

function __fish_ltops_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ltops_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ltops_using_subcommand
    set -l cmd (__fish_ltops_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ltops -n "__fish_ltops_needs_command" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_needs_command" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_needs_command" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_needs_command" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_needs_command" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_needs_command" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_needs_command" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_needs_command" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_needs_command" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_needs_command" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "login" -d 'Sign in with AWS SSO (device authorization); shares its token cache with `aws sso login`'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "logout" -d 'Sign out: revoke the SSO token at the portal and delete it from the cache'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "whoami" -d 'Show who you are in AWS and which mutating commands you may run'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "audit" -d 'The tamper-evident audit log: show, verify, export, head; document interventions'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "tenant" -d 'Tenants: list, inventory, erasure on the customer\'s instruction, the erasure ledger'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "restore" -d 'Point-in-time restore: plan, run, status, re-apply erasures to a restored copy'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "retention" -d 'Statutory retention: purge rows kept after erasures once their period has ended'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "intervene" -d 'Correct customer data: one tenant, a reason, a preview with before/after images, recorded'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "inspect" -d 'Read customer data: one tenant, a reason, personal columns masked, recorded, never stored'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "tom" -d 'The annual TOM review (§9): controls, live checks, attestations, the report'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "approvals" -d 'Four eyes on irreversible actions: list approval requests, approve or deny them'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "config" -d 'Inspect the resolved configuration'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "man" -d 'Write the man pages (roff) to stdout or to a folder'
complete -c ltops -n "__fish_ltops_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand login" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand login" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand login" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand login" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand login" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand login" -l no-browser -d 'Do not try to open a browser; only print the URL and code'
complete -c ltops -n "__fish_ltops_using_subcommand login" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand login" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand login" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand login" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand login" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand logout" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand logout" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand logout" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand logout" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand logout" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand logout" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand logout" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand logout" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand logout" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand logout" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -l can -d 'Answer whether this identity may run COMMAND (exit 0 yes, 1 no), e.g. `tenant.erase`' -r
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand whoami" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -f -a "init" -d 'Create the audit store (Postgres schema ltops_audit, or the log file) and grant roles'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -f -a "record" -d 'Document an intervention made outside ltops (console, psql) with its reason'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -f -a "show" -d 'List events, newest last, with each intent\'s outcome'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -f -a "verify" -d 'Recompute every hash and link; exit 1 and name the first broken seq when broken'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -f -a "export" -d 'Write the log as a JSONL evidence file ending in its head hash'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -f -a "head" -d 'Print the head (seq + hash): the witness for the annual report'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and not __fish_seen_subcommand_from init record show verify export head help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -l grant -d 'Grant this database role INSERT and SELECT on the log (repeatable)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -l dry-run -d 'Show what would be done, change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l instruction -d 'Reference of the controller\'s (customer\'s) documented instruction, e.g. TICKET-4711' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l incident -d 'Reference of the incident this keeps the service running for, e.g. INC-2026-113' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l note -d 'Free text to go with the reference (free text alone is not a reason)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l action -d 'What was done, as a dotted action name, e.g. `manual.console.rds-modify`' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l tenant -d 'The tenant concerned; --detail is then stored encrypted under its key' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l resource -d 'The resource concerned, e.g. an ARN or table' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l detail -d 'What exactly was changed (may name personal data: give --tenant)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l dry-run -d 'Show what would be recorded, record nothing'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from record" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l since -d 'Only events at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l until -d 'Only events before TIME' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l actor -d 'Only events by this user (e-mail) or ARN' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l action -d 'Only this action, or a prefix ending in `.` (e.g. `tenant.`)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l tenant -d 'Only events about this tenant' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l limit -d 'Only the last N matching events' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l file -d 'Read an exported evidence file instead of the configured store' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l file -d 'Verify an exported evidence file instead of the configured store' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l expect-head -d 'The recorded head (SEQ:HASH from `ltops audit head` or the annual report)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -l out -d 'The evidence file to write (refuses to overwrite)' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from head" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "init" -d 'Create the audit store (Postgres schema ltops_audit, or the log file) and grant roles'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "record" -d 'Document an intervention made outside ltops (console, psql) with its reason'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "show" -d 'List events, newest last, with each intent\'s outcome'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Recompute every hash and link; exit 1 and name the first broken seq when broken'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the log as a JSONL evidence file ending in its head hash'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "head" -d 'Print the head (seq + hash): the witness for the annual report'
complete -c ltops -n "__fish_ltops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -f -a "list" -d 'List the tenants in the database and those erased (from the ledger)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -f -a "inventory" -d 'Rows per table: what an erasure deletes, what it keeps (until when, on which basis)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -f -a "erase" -d 'Erase a tenant on the customer\'s documented instruction'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -f -a "ledger" -d 'The erasure ledger: erased tenants, when, by whom, on whose instruction'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and not __fish_seen_subcommand_from list inventory erase ledger help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from inventory" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l instruction -d 'Reference of the customer\'s documented deletion instruction, e.g. TICKET-4711' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l note -d 'Free text to go with the reference' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l confirm -d 'Without a terminal: the tenant id typed again, as confirmation (with --yes)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l certificate -d 'Write the erasure certificate for the customer (.md or .json)' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l approval -d 'Run under the approval request ID, approved by another person for exactly this plan' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l incident -d 'With --break-glass (if approvals.tenant.erase allows it): the incident that cannot wait' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l dry-run -d 'Show the plan, change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l resume -d 'Finish an interrupted batched erasure of this tenant'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l request -d 'Show the plan and record an approval request for it; change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l break-glass -d 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from erase" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from ledger" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the tenants in the database and those erased (from the ledger)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "inventory" -d 'Rows per table: what an erasure deletes, what it keeps (until when, on which basis)'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "erase" -d 'Erase a tenant on the customer\'s documented instruction'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "ledger" -d 'The erasure ledger: erased tenants, when, by whom, on whose instruction'
complete -c ltops -n "__fish_ltops_using_subcommand tenant; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -f -a "plan" -d 'Show what a restore to TIME would do: window, target, settings, erasures to re-apply'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -f -a "run" -d 'Restore to TIME into a new target, wait, re-apply erasures, check the copy'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -f -a "status" -d 'Restores made by ltops (in progress and done)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -f -a "reapply-erasures" -d 'Re-apply the erasures recorded after a restored copy\'s restore time'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and not __fish_seen_subcommand_from plan run status reapply-erasures help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l cluster -d 'The Aurora cluster to restore' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l instance -d 'The RDS instance to restore' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l to -d 'The time to restore to: RFC 3339 with an offset, `latest`, or -15m / -2h' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l target -d 'The new cluster/instance id [default: <source>-pitr-<yyyymmddthhmmz>]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from plan" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l cluster -d 'The Aurora cluster to restore' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l instance -d 'The RDS instance to restore' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l to -d 'The time to restore to: RFC 3339 with an offset, `latest`, or -15m / -2h' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l target -d 'The new cluster/instance id [default: <source>-pitr-<yyyymmddthhmmz>]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l instruction -d 'Reference of the controller\'s (customer\'s) documented instruction, e.g. TICKET-4711' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l incident -d 'Reference of the incident this keeps the service running for, e.g. INC-2026-113' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l note -d 'Free text to go with the reference (free text alone is not a reason)' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l approval -d 'Run under the approval request ID, approved by another person for exactly this plan' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l dry-run -d 'Show the plan, change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l no-wait -d 'Start the restore and return; re-apply erasures later with `restore reapply-erasures`'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l request -d 'Show the plan and record an approval request for it; change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l break-glass -d 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -l target -d 'Only this restored cluster/instance' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l target -d 'The restored cluster/instance' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l instruction -d 'Reference of the controller\'s (customer\'s) documented instruction, e.g. TICKET-4711' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l incident -d 'Reference of the incident this keeps the service running for, e.g. INC-2026-113' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l note -d 'Free text to go with the reference (free text alone is not a reason)' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l dry-run -d 'Show what would be erased, change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from reapply-erasures" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from help" -f -a "plan" -d 'Show what a restore to TIME would do: window, target, settings, erasures to re-apply'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from help" -f -a "run" -d 'Restore to TIME into a new target, wait, re-apply erasures, check the copy'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from help" -f -a "status" -d 'Restores made by ltops (in progress and done)'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from help" -f -a "reapply-erasures" -d 'Re-apply the erasures recorded after a restored copy\'s restore time'
complete -c ltops -n "__fish_ltops_using_subcommand restore; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -f -a "purge" -d 'Delete retained rows of erased tenants whose statutory period has ended'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and not __fish_seen_subcommand_from purge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l instruction -d 'Reference of the controller\'s (customer\'s) documented instruction, e.g. TICKET-4711' -r
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l incident -d 'Reference of the incident this keeps the service running for, e.g. INC-2026-113' -r
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l note -d 'Free text to go with the reference (free text alone is not a reason)' -r
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l approval -d 'Run under the approval request ID, approved by another person for exactly this plan' -r
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l dry-run -d 'Show what is due, delete nothing'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l request -d 'Show the plan and record an approval request for it; change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l break-glass -d 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Delete retained rows of erased tenants whose statutory period has ended'
complete -c ltops -n "__fish_ltops_using_subcommand retention; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -f -a "set" -d 'Set columns of rows named by key (table and key from the data map)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -f -a "delete" -d 'Delete rows named by key (table and key from the data map)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -f -a "sql" -d 'Run one INSERT, UPDATE or DELETE, checked and scoped to the tenant'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -f -a "list" -d 'List past interventions from the audit log'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and not __fish_seen_subcommand_from set delete sql list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l table -d 'A table of the data map (policies/datamap.yaml), e.g. leads' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l id -d 'The key of a row, for tables with a one-column key (repeatable)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l key -d 'One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=…' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l set -d 'The new value of a column, as PostgreSQL reads it (repeatable); json/jsonb columns take JSON' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l set-null -d 'Set a column to NULL (repeatable)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l tenant -d 'The tenant whose data is changed; the transaction cannot see any other' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l instruction -d 'Reference of the controller\'s (customer\'s) documented instruction, e.g. TICKET-4711' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l incident -d 'Reference of the incident this keeps the service running for, e.g. INC-2026-113' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l note -d 'Free text to go with the reference (free text alone is not a reason)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l max-rows -d 'Allow up to N affected rows [default: intervene.max_rows of the config, else 100]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l approval -d 'Run under the approval request ID, approved by another person for exactly this plan' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l dry-run -d 'Show the preview (every affected row before and after), then roll back; record nothing'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l request -d 'Show the plan and record an approval request for it; change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l break-glass -d 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l table -d 'A table of the data map (policies/datamap.yaml), e.g. leads' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l id -d 'The key of a row, for tables with a one-column key (repeatable)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l key -d 'One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=…' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l tenant -d 'The tenant whose data is changed; the transaction cannot see any other' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l instruction -d 'Reference of the controller\'s (customer\'s) documented instruction, e.g. TICKET-4711' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l incident -d 'Reference of the incident this keeps the service running for, e.g. INC-2026-113' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l note -d 'Free text to go with the reference (free text alone is not a reason)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l max-rows -d 'Allow up to N affected rows [default: intervene.max_rows of the config, else 100]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l approval -d 'Run under the approval request ID, approved by another person for exactly this plan' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l dry-run -d 'Show the preview (every affected row before and after), then roll back; record nothing'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l request -d 'Show the plan and record an approval request for it; change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l break-glass -d 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l sql -d 'The statement: exactly one INSERT, UPDATE or DELETE on tables of the data map, without RETURNING' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l sql-file -d 'Read the statement from FILE (`-` for stdin)' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l tenant -d 'The tenant whose data is changed; the transaction cannot see any other' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l instruction -d 'Reference of the controller\'s (customer\'s) documented instruction, e.g. TICKET-4711' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l incident -d 'Reference of the incident this keeps the service running for, e.g. INC-2026-113' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l note -d 'Free text to go with the reference (free text alone is not a reason)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l max-rows -d 'Allow up to N affected rows [default: intervene.max_rows of the config, else 100]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l approval -d 'Run under the approval request ID, approved by another person for exactly this plan' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l dry-run -d 'Show the preview (every affected row before and after), then roll back; record nothing'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l request -d 'Show the plan and record an approval request for it; change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l break-glass -d 'Incident: run without the approval (with --incident REF), recorded prominently; it must be approved afterwards'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from sql" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l tenant -d 'Only interventions on this tenant' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l since -d 'Only interventions at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l limit -d 'Only the last N interventions' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l images -d 'Also show the statements and the before/after images (decrypted with the tenant key, if it still exists)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set columns of rows named by key (table and key from the data map)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete rows named by key (table and key from the data map)'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from help" -f -a "sql" -d 'Run one INSERT, UPDATE or DELETE, checked and scoped to the tenant'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from help" -f -a "list" -d 'List past interventions from the audit log'
complete -c ltops -n "__fish_ltops_using_subcommand intervene; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l tenant -d 'The tenant whose data is read; the transaction cannot see any other' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l instruction -d 'Reference of the controller\'s (customer\'s) documented instruction, e.g. TICKET-4711' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l incident -d 'Reference of the incident this keeps the service running for, e.g. INC-2026-113' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l note -d 'Free text to go with the reference (free text alone is not a reason)' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l table -d 'A table of the data map (policies/datamap.yaml), e.g. leads' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l id -d 'The key of a row, for tables with a one-column key (repeatable; with --table)' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l key -d 'One column of a composite key, e.g. --key marketplace_id=… --key tenant_id=… (with --table)' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l where -d 'Only rows whose COLUMN equals VALUE, as PostgreSQL reads it for the column (repeatable; with --table)' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l sql -d 'The statement: exactly one SELECT on tables of the data map (`-` reads it from stdin)' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l sql-file -d 'Read the statement from FILE (`-` for stdin)' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l limit -d 'Return at most N rows (within the row cap)' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l max-rows -d 'Show at most N rows [default: inspect.max_rows of the config, else 50]' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l reveal -d 'Show this personal column in clear (repeatable; a terminal and --format table only; recorded)' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'List past reads from the audit log'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l tenant -d 'Only reads of this tenant' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l since -d 'Only reads at or after TIME (RFC 3339, YYYY-MM-DD, or -7d / -12h)' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l limit -d 'Only the last N reads' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l statements -d 'Also show the statements (decrypted with the tenant key, if it still exists)'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from help" -f -a "list" -d 'List past reads from the audit log'
complete -c ltops -n "__fish_ltops_using_subcommand inspect; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -f -a "controls" -d 'List the controls of the catalog (policies/tom) and their coverage of TOM.de.md'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -f -a "check" -d 'Check every control against AWS, the database and the audit log; exit 1 on any finding'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -f -a "attest" -d 'Attest organisational controls with evidence; recorded in the audit log'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -f -a "report" -d 'Write the annual report (Markdown or HTML, German by default) and its JSON'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and not __fish_seen_subcommand_from controls check attest report help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -l section -d 'Only the controls of this TOM section (0 = preamble)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -l tom -d 'TOM.de.md to measure coverage against [default: $LTOPS_TOM_MD, then shared/TOM.de.md or TOM.de.md in or above the policies folder]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from controls" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l section -d 'Only the controls of this TOM section (0 = preamble)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l control -d 'Only this control, e.g. TOM-4.2' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l accounts -d 'AWS accounts to review through the SSO portal: `all` (every account your SSO sign-in reaches) or IDs separated by commas [default: tom.accounts in ltops.yaml, else the profile\'s account]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l concurrency -d 'AWS calls in flight at most (1 = one after another)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -l evidence -d 'What shows the measure is in place: a text or a URL (protocol, photo, signed list)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -l valid-for -d 'How long the attestation holds, e.g. 12mo, 6mo, 90d [default: the control\'s valid_for, else 12mo]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -l dry-run -d 'Show what would be recorded, record nothing'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from attest" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l out -d 'The report to write: FILE.md or FILE.html; FILE.json is written beside it (never overwritten)' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l lang -d 'Language of the report' -r -f -a "de\t'Deutsch (the language of the TOM)'
en\t'English'"
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l previous -d 'The previous report\'s JSON, to show what changed since' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l accounts -d 'AWS accounts to review through the SSO portal: `all` (every account your SSO sign-in reaches) or IDs separated by commas [default: tom.accounts in ltops.yaml, else the profile\'s account]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l concurrency -d 'AWS calls in flight at most (1 = one after another)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from report" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from help" -f -a "controls" -d 'List the controls of the catalog (policies/tom) and their coverage of TOM.de.md'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check every control against AWS, the database and the audit log; exit 1 on any finding'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from help" -f -a "attest" -d 'Attest organisational controls with evidence; recorded in the audit log'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from help" -f -a "report" -d 'Write the annual report (Markdown or HTML, German by default) and its JSON'
complete -c ltops -n "__fish_ltops_using_subcommand tom; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -f -a "list" -d 'Approval requests and break-glass uses still waiting for someone, with their plans'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -f -a "approve" -d 'Approve a request (or a break-glass use, afterwards) after reviewing its plan'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -f -a "deny" -d 'Deny a request or a break-glass use, saying why'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -f -a "pin" -d 'Pin this config\'s `approvals` policy in the audit log (admins): every gated run then applies it, whatever an operator\'s own ltops.yaml says; it can only be made stricter'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny pin help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -l all -d 'Every request with its story: requested, approved or denied, used, expired'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l note -d 'Free text to go with the approval' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from approve" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l note -d 'Why it is denied (mandatory)' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from deny" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -l dry-run -d 'Show the pinned and the proposed policy, change nothing'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from pin" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "list" -d 'Approval requests and break-glass uses still waiting for someone, with their plans'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Approve a request (or a break-glass use, afterwards) after reviewing its plan'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "deny" -d 'Deny a request or a break-glass use, saying why'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "pin" -d 'Pin this config\'s `approvals` policy in the audit log (admins): every gated run then applies it, whatever an operator\'s own ltops.yaml says; it can only be made stricter'
complete -c ltops -n "__fish_ltops_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -f -a "show" -d 'Show the settings ltops resolved from flags, environment and the config file'
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -f -a "check" -d 'Validate the config file (exit 2 with file:line:column when it is malformed)'
complete -c ltops -n "__fish_ltops_using_subcommand config; and not __fish_seen_subcommand_from show check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the settings ltops resolved from flags, environment and the config file'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate the config file (exit 2 with file:line:column when it is malformed)'
complete -c ltops -n "__fish_ltops_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand completions" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand completions" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand completions" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand completions" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand completions" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand completions" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand completions" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand completions" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand completions" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand man" -l out-dir -d 'Write one page per command into this folder instead of printing ltops(1)' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand man" -l config -d 'Configuration file [default: ./ltops.yaml, then $XDG_CONFIG_HOME/ltops/config.yaml]' -r -F
complete -c ltops -n "__fish_ltops_using_subcommand man" -l profile -d 'AWS profile (an SSO profile of ~/.aws/config) [default: from the config file, then $AWS_PROFILE]' -r
complete -c ltops -n "__fish_ltops_using_subcommand man" -l region -d 'AWS region [default: from the config file, then the profile]' -r
complete -c ltops -n "__fish_ltops_using_subcommand man" -l endpoint-url -d 'Send every AWS API call to this endpoint (for test labs; AWS_ENDPOINT_URL_<SERVICE> also works)' -r
complete -c ltops -n "__fish_ltops_using_subcommand man" -l format -d 'Output format of the data written to stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with a schema_version (a stable contract for scripts)'"
complete -c ltops -n "__fish_ltops_using_subcommand man" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c ltops -n "__fish_ltops_using_subcommand man" -s q -l quiet -d 'Only errors on stderr'
complete -c ltops -n "__fish_ltops_using_subcommand man" -l yes -d 'Answer yes to confirmations (needed for mutating commands without a terminal)'
complete -c ltops -n "__fish_ltops_using_subcommand man" -l no-input -d 'Never prompt, even on a terminal; refuse instead of asking'
complete -c ltops -n "__fish_ltops_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ltops -n "__fish_ltops_using_subcommand man" -s V -l version -d 'Print version'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "login" -d 'Sign in with AWS SSO (device authorization); shares its token cache with `aws sso login`'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "logout" -d 'Sign out: revoke the SSO token at the portal and delete it from the cache'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "whoami" -d 'Show who you are in AWS and which mutating commands you may run'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "audit" -d 'The tamper-evident audit log: show, verify, export, head; document interventions'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "tenant" -d 'Tenants: list, inventory, erasure on the customer\'s instruction, the erasure ledger'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "restore" -d 'Point-in-time restore: plan, run, status, re-apply erasures to a restored copy'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "retention" -d 'Statutory retention: purge rows kept after erasures once their period has ended'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "intervene" -d 'Correct customer data: one tenant, a reason, a preview with before/after images, recorded'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "inspect" -d 'Read customer data: one tenant, a reason, personal columns masked, recorded, never stored'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "tom" -d 'The annual TOM review (§9): controls, live checks, attestations, the report'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "approvals" -d 'Four eyes on irreversible actions: list approval requests, approve or deny them'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "config" -d 'Inspect the resolved configuration'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "man" -d 'Write the man pages (roff) to stdout or to a folder'
complete -c ltops -n "__fish_ltops_using_subcommand help; and not __fish_seen_subcommand_from login logout whoami audit tenant restore retention intervene inspect tom approvals config completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "init" -d 'Create the audit store (Postgres schema ltops_audit, or the log file) and grant roles'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "record" -d 'Document an intervention made outside ltops (console, psql) with its reason'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "show" -d 'List events, newest last, with each intent\'s outcome'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Recompute every hash and link; exit 1 and name the first broken seq when broken'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "export" -d 'Write the log as a JSONL evidence file ending in its head hash'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "head" -d 'Print the head (seq + hash): the witness for the annual report'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from tenant" -f -a "list" -d 'List the tenants in the database and those erased (from the ledger)'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from tenant" -f -a "inventory" -d 'Rows per table: what an erasure deletes, what it keeps (until when, on which basis)'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from tenant" -f -a "erase" -d 'Erase a tenant on the customer\'s documented instruction'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from tenant" -f -a "ledger" -d 'The erasure ledger: erased tenants, when, by whom, on whose instruction'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from restore" -f -a "plan" -d 'Show what a restore to TIME would do: window, target, settings, erasures to re-apply'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from restore" -f -a "run" -d 'Restore to TIME into a new target, wait, re-apply erasures, check the copy'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from restore" -f -a "status" -d 'Restores made by ltops (in progress and done)'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from restore" -f -a "reapply-erasures" -d 'Re-apply the erasures recorded after a restored copy\'s restore time'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from retention" -f -a "purge" -d 'Delete retained rows of erased tenants whose statutory period has ended'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from intervene" -f -a "set" -d 'Set columns of rows named by key (table and key from the data map)'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from intervene" -f -a "delete" -d 'Delete rows named by key (table and key from the data map)'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from intervene" -f -a "sql" -d 'Run one INSERT, UPDATE or DELETE, checked and scoped to the tenant'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from intervene" -f -a "list" -d 'List past interventions from the audit log'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from inspect" -f -a "list" -d 'List past reads from the audit log'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from tom" -f -a "controls" -d 'List the controls of the catalog (policies/tom) and their coverage of TOM.de.md'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from tom" -f -a "check" -d 'Check every control against AWS, the database and the audit log; exit 1 on any finding'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from tom" -f -a "attest" -d 'Attest organisational controls with evidence; recorded in the audit log'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from tom" -f -a "report" -d 'Write the annual report (Markdown or HTML, German by default) and its JSON'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "list" -d 'Approval requests and break-glass uses still waiting for someone, with their plans'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "approve" -d 'Approve a request (or a break-glass use, afterwards) after reviewing its plan'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "deny" -d 'Deny a request or a break-glass use, saying why'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "pin" -d 'Pin this config\'s `approvals` policy in the audit log (admins): every gated run then applies it, whatever an operator\'s own ltops.yaml says; it can only be made stricter'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Show the settings ltops resolved from flags, environment and the config file'
complete -c ltops -n "__fish_ltops_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "check" -d 'Validate the config file (exit 2 with file:line:column when it is malformed)'
