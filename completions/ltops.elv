
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
