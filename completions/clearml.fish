# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_clearml_global_optspecs
    string join \n config= api-host= format= json csv q/quiet v/verbose no-color insecure ca-bundle= request-timeout= h/help V/version
end

function __fish_clearml_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_clearml_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_clearml_using_subcommand
    set -l cmd (__fish_clearml_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c clearml -n "__fish_clearml_needs_command" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_needs_command" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_needs_command" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_needs_command" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_needs_command" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_needs_command" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_needs_command" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_needs_command" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_needs_command" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_needs_command" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_needs_command" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_needs_command" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_needs_command" -s V -l version -d 'Print version'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "init" -d 'Write ~/clearml.conf: paste the credentials block from the web UI, or pass flags (CI)'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "config" -d 'Inspect the configuration in force'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "server" -d 'Run and administer a ClearML server (official Docker stack or built-in)'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "task" -d 'List, inspect, compare, wait for and act on experiments (tasks)'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "model" -d 'List, publish and download models'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "dataset" -d 'Versioned datasets in the SDK\'s format: list, fetch, verify, create, upload, delete'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "pipeline" -d 'Run a pipeline from a TOML file on ClearML agents; its status and past runs'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "queue" -d 'List the server\'s queues'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "worker" -d 'List the workers (agents) registered with the server'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "credentials" -d 'Make, list and revoke API key pairs (for CI bots and colleagues, without the web UI)'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "sync" -d 'Copy projects (tasks, events, models, files, pipeline runs) from one server to another'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "export" -d 'Write projects to one .tar.zst archive, for a server with no network path to this one'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "import" -d 'Copy an archive written by \'clearml export\' into a server'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "cleanup" -d 'Delete old experiments with their models, artifacts, logs and files on the file server; published tasks and models other tasks use are kept'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "manpages" -d 'Write man pages into a directory (used by `make docs`)'
complete -c clearml -n "__fish_clearml_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand init" -s F -l file -d 'File to write (default: the SDK\'s choice: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand init" -l web-host -d 'Web application URL (e.g. http://localhost:8080)' -r
complete -c clearml -n "__fish_clearml_using_subcommand init" -l files-host -d 'File server URL (e.g. http://localhost:8081)' -r
complete -c clearml -n "__fish_clearml_using_subcommand init" -l access-key -d 'Access key (from the web UI\'s "Create new credentials")' -r
complete -c clearml -n "__fish_clearml_using_subcommand init" -l secret-key -d 'Secret key on the command line (visible to other users via ps; prefer --secret-key-stdin)' -r
complete -c clearml -n "__fish_clearml_using_subcommand init" -l credentials -d 'The pasted credentials block from the web UI, from FILE or \'-\' for stdin' -r
complete -c clearml -n "__fish_clearml_using_subcommand init" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand init" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand init" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand init" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand init" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand init" -l secret-key-stdin -d 'Read the secret key from the first line of stdin'
complete -c clearml -n "__fish_clearml_using_subcommand init" -l no-verify -d 'Do not check the credentials against the server before writing'
complete -c clearml -n "__fish_clearml_using_subcommand init" -l non-interactive -d 'Never prompt (also implied when stdin is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand init" -l force -d 'Replace the api block of an existing file without asking (a .bak copy is kept); without it, non-interactive mode refuses an existing file (exit 2)'
complete -c clearml -n "__fish_clearml_using_subcommand init" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand init" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand init" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand init" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand init" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand init" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand init" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -f -a "show" -d 'Each value in force and where it came from (flag, env, file:line, default); secrets masked'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -f -a "path" -d 'The clearml.conf path in use'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -f -a "dump" -d 'The configuration file(s) as read (merged, before environment overrides), as JSON (--csv: key,value rows); credentials masked'
complete -c clearml -n "__fish_clearml_using_subcommand config; and not __fish_seen_subcommand_from show path dump help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from dump" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Each value in force and where it came from (flag, env, file:line, default); secrets masked'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'The clearml.conf path in use'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "dump" -d 'The configuration file(s) as read (merged, before environment overrides), as JSON (--csv: key,value rows); credentials masked'
complete -c clearml -n "__fish_clearml_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "up" -d 'Start the official server stack in Docker and wait until it is ready'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "down" -d 'Stop and remove the stack\'s containers and networks (data stays unless --purge)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "status" -d 'A row per service: state, readiness, restarts, image, ports, uptime'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "logs" -d 'Service logs, prefixed by service name'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "ping" -d 'Check the API, web and files hosts of the configured server'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "doctor" -d 'Preflight checks for the host (Docker, ports, vm.max_map_count, disk, memory, ...), and of a running stack: Elasticsearch indices made read-only when the disk filled up'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "serve" -d 'Run a built-in ClearML-compatible server (API + file server, SQLite) in the foreground'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "backup" -d 'Archive the stack\'s data and config (stops and restarts the stack)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "restore" -d 'Restore a backup made by `server backup`'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "render" -d 'Print the stack as a docker-compose.yml or Helm values file'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "selftest" -d 'End-to-end check of the configured server: task, scalars, file round-trip'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "rehost" -d 'After the file server moved (host, port, https, a bucket): point every stored link at the new place: model URIs, task artifacts, debug images and plots'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "usage" -d 'Where the disk went: file server bytes and events per project or task, largest first'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "users" -d 'The open-source server\'s users (the API server\'s fixed users, in the stack\'s data dir): list, add, remove, change a password; the API server restarts and the login is checked'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "upgrade" -d 'Upgrade the Docker stack to another server version: a verified backup first, the required steps in order, then the data counts compared; on failure the backup is restored and the old version started again'
complete -c clearml -n "__fish_clearml_using_subcommand server; and not __fish_seen_subcommand_from up down status logs ping doctor serve backup restore render selftest rehost usage users upgrade help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l data-dir -d 'Where the stack keeps its data, logs and config' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l version -d 'clearml/server image tag' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l image -d 'Replace one service\'s image (repeatable), e.g. --image mongo=mymirror/mongo:6' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l registry -d 'Pull every image from this registry prefix (a private mirror)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l bind -d 'Address the published ports bind to' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l port -d 'Change a published port (repeatable), e.g. --port webserver=9080' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l env -d 'Extra environment for a service (repeatable): SERVICE:KEY=VALUE, or KEY=VALUE for all' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l pull -d 'When to pull images' -r -f -a "missing\t''
always\t''
never\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l timeout -d 'How long to wait for readiness' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l with-agent-services -d 'Also run the services agent'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l skip-doctor -d 'Start even if a preflight check fails'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from up" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l data-dir -d 'Where the stack keeps its data, logs and config' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l version -d 'clearml/server image tag' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l image -d 'Replace one service\'s image (repeatable), e.g. --image mongo=mymirror/mongo:6' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l registry -d 'Pull every image from this registry prefix (a private mirror)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l bind -d 'Address the published ports bind to' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l port -d 'Change a published port (repeatable), e.g. --port webserver=9080' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l env -d 'Extra environment for a service (repeatable): SERVICE:KEY=VALUE, or KEY=VALUE for all' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l with-agent-services -d 'Also run the services agent'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l purge -d 'Also delete the data directory (asks for confirmation unless --yes)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -s y -l yes -d 'Do not ask for confirmation'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from down" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l data-dir -d 'Where the stack keeps its data, logs and config' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l version -d 'clearml/server image tag' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l image -d 'Replace one service\'s image (repeatable), e.g. --image mongo=mymirror/mongo:6' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l registry -d 'Pull every image from this registry prefix (a private mirror)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l bind -d 'Address the published ports bind to' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l port -d 'Change a published port (repeatable), e.g. --port webserver=9080' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l env -d 'Extra environment for a service (repeatable): SERVICE:KEY=VALUE, or KEY=VALUE for all' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l with-agent-services -d 'Also run the services agent'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l data-dir -d 'Where the stack keeps its data, logs and config' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l version -d 'clearml/server image tag' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l image -d 'Replace one service\'s image (repeatable), e.g. --image mongo=mymirror/mongo:6' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l registry -d 'Pull every image from this registry prefix (a private mirror)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l bind -d 'Address the published ports bind to' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l port -d 'Change a published port (repeatable), e.g. --port webserver=9080' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l env -d 'Extra environment for a service (repeatable): SERVICE:KEY=VALUE, or KEY=VALUE for all' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l tail -d 'Lines from the end of each service\'s log' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l since -d 'Only lines newer than this (e.g. 10m, 2h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l with-agent-services -d 'Also run the services agent'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Keep following the logs'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l watch -d 'Check again every INTERVAL (e.g. 30s), one health line each on stdout, until Ctrl-C' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l exit-on-fail -d 'With --watch: exit on the first failed check, with its exit code (3 unreachable, 1 a web or files host down)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from ping" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l data-dir -d 'Where the stack keeps its data, logs and config' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l version -d 'clearml/server image tag' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l image -d 'Replace one service\'s image (repeatable), e.g. --image mongo=mymirror/mongo:6' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l registry -d 'Pull every image from this registry prefix (a private mirror)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l bind -d 'Address the published ports bind to' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l port -d 'Change a published port (repeatable), e.g. --port webserver=9080' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l env -d 'Extra environment for a service (repeatable): SERVICE:KEY=VALUE, or KEY=VALUE for all' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l with-agent-services -d 'Also run the services agent'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l fix -d 'Create missing data directories and give them to uid 1000; unlock Elasticsearch indices made read-only at the flood-stage watermark (once the disk has room)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from doctor" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l data-dir -d 'Where the database and uploaded files live [default: $XDG_DATA_HOME/clearml/serve, else ~/.local/share/clearml/serve; or set CLEARML_SERVE_DATA_DIR]' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l host -d 'Address to listen on' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l api-port -d 'API port (0: the port of this data dir\'s last run if free, else a free one)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l files-port -d 'File server port (0: the port of this data dir\'s last run if free, else a free one; stored model/artifact URLs name this port, so keep it stable for data you keep)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l web-port -d 'Port of the read-only web UI (0: as for --api-port); the three hosts stay distinct and derive from each other as clearml-init expects' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l data-dir -d 'Where the stack keeps its data, logs and config' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l version -d 'clearml/server image tag' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l image -d 'Replace one service\'s image (repeatable), e.g. --image mongo=mymirror/mongo:6' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l registry -d 'Pull every image from this registry prefix (a private mirror)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l bind -d 'Address the published ports bind to' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l port -d 'Change a published port (repeatable), e.g. --port webserver=9080' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l env -d 'Extra environment for a service (repeatable): SERVICE:KEY=VALUE, or KEY=VALUE for all' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l out -d 'Archive to write (.tar.gz)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l keep -d 'After the backup, keep only the N newest archives of its series in its folder (names starting like FILE\'s up to its first digit and ending in .tar.gz; e.g. --out /backups/clearml-$(date +%F).tar.gz --keep 7), deleting the older ones' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l with-agent-services -d 'Also run the services agent'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l dry-run -d 'Say what would be written and which archives --keep would delete; stop nothing, write and delete nothing'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l online -d 'Back up while the stack keeps running: MongoDB through mongodump, Elasticsearch through a snapshot, Redis through SAVE (inside their containers), the file server\'s folder copied live. `server restore` takes the archive the same way'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from backup" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l data-dir -d 'Where the stack keeps its data, logs and config' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l version -d 'clearml/server image tag' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l image -d 'Replace one service\'s image (repeatable), e.g. --image mongo=mymirror/mongo:6' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l registry -d 'Pull every image from this registry prefix (a private mirror)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l bind -d 'Address the published ports bind to' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l port -d 'Change a published port (repeatable), e.g. --port webserver=9080' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l env -d 'Extra environment for a service (repeatable): SERVICE:KEY=VALUE, or KEY=VALUE for all' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l with-agent-services -d 'Also run the services agent'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -s y -l yes -d 'Do not ask for confirmation before replacing the data dir'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l data-dir -d 'Where the stack keeps its data, logs and config' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l version -d 'clearml/server image tag' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l image -d 'Replace one service\'s image (repeatable), e.g. --image mongo=mymirror/mongo:6' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l registry -d 'Pull every image from this registry prefix (a private mirror)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l bind -d 'Address the published ports bind to' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l port -d 'Change a published port (repeatable), e.g. --port webserver=9080' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l env -d 'Extra environment for a service (repeatable): SERVICE:KEY=VALUE, or KEY=VALUE for all' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l as -d 'What to print' -r -f -a "compose\t''
helm-values\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l with-agent-services -d 'Also run the services agent'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from render" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from selftest" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l from -d 'The old file server URL, as stored links start (e.g. http://old-host:8081)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l to -d 'The new file server URL (e.g. https://files.example.com)' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l data-dir -d 'A stopped \'clearml server serve\' data dir to rewrite directly (all kinds of links)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l stack -d 'The configured server is this host\'s Docker stack (\'clearml server up\'): besides models and artifacts (through the API), rewrite the debug image and plot links in its Elasticsearch (through the Docker API; CLEARML_STACK_PROJECT names another stack)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l dry-run -d 'Count what would change, per kind and per project; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from rehost" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l data-dir -d 'The \'clearml server serve\' data dir [default: serve\'s: $CLEARML_SERVE_DATA_DIR, else $XDG_DATA_HOME/clearml/serve or ~/.local/share/clearml/serve]' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l project -d 'Only this project and its sub-projects' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l by -d 'One row per project (the default) or per task' -r -f -a "project\t''
task\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l top -d 'Only the N largest rows' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l stack -d 'The configured server is this host\'s Docker stack (\'clearml server up\'): walk the data dir its containers were started with (files under data/fileserver), count the events in its Elasticsearch (through the Docker API), names through the API; --data-dir is not used (CLEARML_STACK_PROJECT names another stack)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l api -d 'Ask only the configured server\'s API (a server whose data dir this machine cannot read): file bytes by the stored URLs of task artifacts (their recorded size, else a HEAD of the URL) and models (a HEAD); events are not counted'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from usage" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -f -a "list" -d 'The users, their display names and how each password is stored (never the password)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -f -a "add" -d 'Add a user who can log in to the web UI (and enable fixed users)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -f -a "passwd" -d 'Change a user\'s password'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -f -a "remove" -d 'Remove users (the last one stays: nobody could log in)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from users" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l data-dir -d 'Where the stack keeps its data, logs and config' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l to -d 'The server version to go to, e.g. 2.3.0' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l image -d 'The target version\'s image for one service (repeatable), e.g. --image apiserver=mymirror/clearml-server:2.3.0 [default: clearml/server:VERSION]' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l backup -d 'The backup archive to write [default: beside the data dir, named after both versions]' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l timeout -d 'How long each step may take to become ready' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l dry-run -d 'Print the plan (versions, images, backup file) and change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from upgrade" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "up" -d 'Start the official server stack in Docker and wait until it is ready'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "down" -d 'Stop and remove the stack\'s containers and networks (data stays unless --purge)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "status" -d 'A row per service: state, readiness, restarts, image, ports, uptime'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Service logs, prefixed by service name'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "ping" -d 'Check the API, web and files hosts of the configured server'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "doctor" -d 'Preflight checks for the host (Docker, ports, vm.max_map_count, disk, memory, ...), and of a running stack: Elasticsearch indices made read-only when the disk filled up'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Run a built-in ClearML-compatible server (API + file server, SQLite) in the foreground'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "backup" -d 'Archive the stack\'s data and config (stops and restarts the stack)'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Restore a backup made by `server backup`'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "render" -d 'Print the stack as a docker-compose.yml or Helm values file'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "selftest" -d 'End-to-end check of the configured server: task, scalars, file round-trip'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "rehost" -d 'After the file server moved (host, port, https, a bucket): point every stored link at the new place: model URIs, task artifacts, debug images and plots'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "usage" -d 'Where the disk went: file server bytes and events per project or task, largest first'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "users" -d 'The open-source server\'s users (the API server\'s fixed users, in the stack\'s data dir): list, add, remove, change a password; the API server restarts and the login is checked'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "upgrade" -d 'Upgrade the Docker stack to another server version: a verified backup first, the required steps in order, then the data counts compared; on failure the backup is restored and the old version started again'
complete -c clearml -n "__fish_clearml_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "list" -d 'List tasks, with filters; follows pages past the server\'s 500-item cap with --all'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "show" -d 'One task in detail: status, parameters, metrics, artifacts, models'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "compare" -d 'Compare tasks side by side: parameters and metrics'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "wait" -d 'Wait until tasks reach a final status (exit 6 if any failed or stopped)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "enqueue" -d 'Put tasks in a queue for an agent to run (draft, stopped or failed tasks)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "dequeue" -d 'Take queued tasks out of their queue (back to the status they had)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "abort" -d 'Stop running or queued tasks; a task an agent runs is stopped by the agent (its status stays in_progress until the agent acknowledges)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "reset" -d 'Reset tasks to drafts: their results, logs and output models are deleted'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "archive" -d 'Archive tasks (a queued task is dequeued first)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "unarchive" -d 'Restore archived tasks (filters select archived tasks)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "publish" -d 'Publish finished tasks and their output models'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "delete" -d 'Delete tasks with their logs, metrics and unused output models (their files stay on the file server: `clearml cleanup` removes those too)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "tag" -d 'Add or remove tags'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "move" -d 'Move tasks to another project (created if missing)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "logs" -d 'A task\'s console output, as `docker logs` prints a container\'s; -f follows it until the task ends (exit 6 if it failed or was stopped, as `task wait`)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "clone" -d 'Copy a task as a new draft, override parameters, and optionally enqueue it'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "edit" -d 'Change one task: parameters, name, comment, tags'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "launch" -d 'Make a script into a task an agent can run (its git repository, commit and uncommitted changes, or its text), and enqueue it with --queue'
complete -c clearml -n "__fish_clearml_using_subcommand task; and not __fish_seen_subcommand_from list show compare wait enqueue dequeue abort reset archive unarchive publish delete tag move logs clone edit launch help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l project -d 'Project name (full path, e.g. parent/child)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l type -d 'Task type filter (repeatable)' -r -f -a "training\t''
testing\t''
inference\t''
data_processing\t''
application\t''
monitor\t''
controller\t''
optimizer\t''
service\t''
qc\t''
custom\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l search -d 'Full-text search' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l sort -d 'Sort field, \'-\' prefix for descending (default -last_update)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l limit -d 'At most N tasks' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l columns -d 'Columns, comma separated; also metric:Title/Series and param:Section/name' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l archived -d 'Show archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l all -d 'Every matching task (pages past the 500 cap)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -l project -d 'Project to look the name up in' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l project -d 'Pick tasks from this project instead' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l status -d 'With --project: status filter' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l last -d 'With --project: the N most recent' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l better -d 'Which direction is better per metric, e.g. loss=min,accuracy=max' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l plot -d 'Draw the scalar curves of this metric (title or title/series) in the terminal' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l svg -d 'Write the curves of --plot as an SVG chart' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l diff-only -d 'Show only rows whose values differ'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from compare" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l timeout -d 'Give up after this long (e.g. 30m); exit 1 on timeout (6 if a task failed). The server may be unreachable for this long (without it: 10 minutes) before exit 3' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l notify -d 'When it ends, POST a JSON summary to this http(s) URL (4 attempts with backoff on errors, 429 and 5xx; a notification that cannot be delivered is only a warning)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l notify-format -d 'Body of --notify: our JSON summary, or Slack\'s incoming-webhook {"text": ...}' -r -f -a "json\t''
slack\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l interval -d 'Poll interval (at least 1s)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l log-lines -d 'Console lines shown for a task that failed or was stopped (0: none)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from wait" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l project -d 'Project (full path); with TASK names, where to look them up' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l older-than -d 'Last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l queue -d 'Queue name or id (default: the server\'s default queue)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l archived -d 'Filters select archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -s y -l yes -d 'Do not ask before acting on more than one task'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l dry-run -d 'Print the tasks that would be touched; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from enqueue" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l project -d 'Project (full path); with TASK names, where to look them up' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l older-than -d 'Last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l archived -d 'Filters select archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -s y -l yes -d 'Do not ask before acting on more than one task'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l dry-run -d 'Print the tasks that would be touched; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from dequeue" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l project -d 'Project (full path); with TASK names, where to look them up' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l older-than -d 'Last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l archived -d 'Filters select archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -s y -l yes -d 'Do not ask before acting on more than one task'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l dry-run -d 'Print the tasks that would be touched; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l force -d 'Ask the server to stop tasks whose status does not allow it'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from abort" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l project -d 'Project (full path); with TASK names, where to look them up' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l older-than -d 'Last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l archived -d 'Filters select archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -s y -l yes -d 'Do not ask before acting on more than one task'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l dry-run -d 'Print the tasks that would be touched; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l force -d 'Reset tasks whose status the server protects (published)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l clear-all -d 'Also clear the script and execution sections'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l project -d 'Project (full path); with TASK names, where to look them up' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l older-than -d 'Last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l archived -d 'Filters select archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -s y -l yes -d 'Do not ask before acting on more than one task'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l dry-run -d 'Print the tasks that would be touched; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from archive" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l project -d 'Project (full path); with TASK names, where to look them up' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l older-than -d 'Last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l archived -d 'Filters select archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -s y -l yes -d 'Do not ask before acting on more than one task'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l dry-run -d 'Print the tasks that would be touched; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from unarchive" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l project -d 'Project (full path); with TASK names, where to look them up' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l older-than -d 'Last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l archived -d 'Filters select archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -s y -l yes -d 'Do not ask before acting on more than one task'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l dry-run -d 'Print the tasks that would be touched; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l force -d 'Publish tasks that have not stopped or completed'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from publish" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l project -d 'Project (full path); with TASK names, where to look them up' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l older-than -d 'Last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l archived -d 'Filters select archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask before acting on more than one task'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l dry-run -d 'Print the tasks that would be touched; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l force -d 'Delete tasks that are neither drafts nor archived (the server asks for it)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l project -d 'Project (full path); with TASK names, where to look them up' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l older-than -d 'Last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l add -d 'Tag to add (repeatable)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l remove -d 'Tag to remove (repeatable)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l archived -d 'Filters select archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -s y -l yes -d 'Do not ask before acting on more than one task'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l dry-run -d 'Print the tasks that would be touched; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l project -d 'Project (full path); with TASK names, where to look them up' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l status -d 'Status filter (repeatable)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l user -d 'User name, or \'me\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l since -d 'Created at or after (RFC 3339 date/time, or a duration like 2d meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l until -d 'Created at or before' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l older-than -d 'Last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l to -d 'Target project (full path, e.g. parent/child)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l recursive -d 'Include sub-projects of --project'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l archived -d 'Filters select archived tasks instead of active ones'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -s y -l yes -d 'Do not ask before acting on more than one task'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l dry-run -d 'Print the tasks that would be touched; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from move" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l tail -d 'Only the last N lines' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l since -d 'Only lines since this time (RFC 3339, a date, or a duration like 10m meaning "ago")' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Keep printing new lines until the task ends'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -s t -l timestamps -d 'Prefix each line with its time (UTC)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l name -d 'Name of the new task' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l project -d 'Project of the new task (created if missing; default: the original\'s)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l set -d 'Override a parameter (repeatable), e.g. --set Args/lr=0.01' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l tag -d 'Tag of the new task (repeatable)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l queue -d 'Enqueue the new task in this queue (name or id)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from clone" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l set -d 'Set a parameter (repeatable), e.g. --set Args/lr=0.01' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l name -d 'New name' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l comment -d 'New comment (description)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l tag -d 'Tag to add (repeatable)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l remove-tag -d 'Tag to remove (repeatable)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l force -d 'Edit parameters of a task that is not a draft (the server refuses it otherwise)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l project -d 'Project of the task (created if missing)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l name -d 'Name of the task (default: the script\'s file name)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l tags -d 'Tags (repeatable, or comma separated)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l args -d 'A parameter of the Args section (repeatable), e.g. --args lr=0.01' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l requirements -d 'Requirements file (pip syntax) the agent installs' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l packages -d 'Packages the agent installs (repeatable, or comma separated), e.g. --packages numpy' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l docker -d 'Container image the agent runs the task in (agents in docker mode)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l docker-args -d 'Arguments of `docker run` for that container' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l cwd -d 'Working directory relative to the repository root (default: the script\'s folder)' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l task-type -d 'Task type' -r -f -a "training\t''
testing\t''
inference\t''
data_processing\t''
application\t''
monitor\t''
controller\t''
optimizer\t''
service\t''
qc\t''
custom\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l queue -d 'Enqueue the task in this queue (name or id); without it the task stays a draft' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l skip-task-init -d 'Do not add `Task.init()` to a Python script that does not call it'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l single-file -d 'Ignore the git repository: the script\'s text is the task\'s code'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l dry-run -d 'Print the task that would be created (JSON); create nothing'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from launch" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "list" -d 'List tasks, with filters; follows pages past the server\'s 500-item cap with --all'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "show" -d 'One task in detail: status, parameters, metrics, artifacts, models'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "compare" -d 'Compare tasks side by side: parameters and metrics'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "wait" -d 'Wait until tasks reach a final status (exit 6 if any failed or stopped)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "enqueue" -d 'Put tasks in a queue for an agent to run (draft, stopped or failed tasks)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "dequeue" -d 'Take queued tasks out of their queue (back to the status they had)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "abort" -d 'Stop running or queued tasks; a task an agent runs is stopped by the agent (its status stays in_progress until the agent acknowledges)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Reset tasks to drafts: their results, logs and output models are deleted'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "archive" -d 'Archive tasks (a queued task is dequeued first)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "unarchive" -d 'Restore archived tasks (filters select archived tasks)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "publish" -d 'Publish finished tasks and their output models'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete tasks with their logs, metrics and unused output models (their files stay on the file server: `clearml cleanup` removes those too)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "tag" -d 'Add or remove tags'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "move" -d 'Move tasks to another project (created if missing)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "logs" -d 'A task\'s console output, as `docker logs` prints a container\'s; -f follows it until the task ends (exit 6 if it failed or was stopped, as `task wait`)'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "clone" -d 'Copy a task as a new draft, override parameters, and optionally enqueue it'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Change one task: parameters, name, comment, tags'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "launch" -d 'Make a script into a task an agent can run (its git repository, commit and uncommitted changes, or its text), and enqueue it with --queue'
complete -c clearml -n "__fish_clearml_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -f -a "list" -d 'List models'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -f -a "show" -d 'One model in detail'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -f -a "publish" -d 'Upload a weights file and register + publish it, or publish an existing draft by id'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -f -a "pull" -d 'Download a model\'s weights (latest published by name, or by id)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and not __fish_seen_subcommand_from list show publish pull help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l project -d 'Project name (full path, e.g. parent/child)' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l tag -d 'Tag filter (repeatable; prefix \'-\' to exclude)' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l framework -d 'Framework (e.g. PyTorch)' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l task -d 'Models created by this task id' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l limit -d 'At most N models' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l published -d 'Only published models'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l draft -d 'Only draft models'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l all -d 'Every model (pages past the server\'s 500 cap)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -l project -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l name -d 'Model name (default: the file name without extension)' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l project -d 'Project to register the model in (created if missing; needed with a file)' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l framework -d 'Framework (e.g. PyTorch, TensorFlow, ONNX)' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l task -d 'Task that produced the model' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l tags -d 'Tags, comma separated (e.g. --tags best,v2)' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l comment -d 'Free-text comment (description) of the model' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l label -d 'Label enumeration entry (repeatable), name=int' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from publish" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l name -d 'Model name: the newest published model of that name, else the newest draft' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l project -d 'Look the name up in this project only' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -s o -l output -d 'Where to put the file (default: the SDK\'s cache, shared with Model.get_local_copy)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l published-only -d 'With --name: only a published model will do'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l force -d 'Download again even if a cached copy exists'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "list" -d 'List models'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "show" -d 'One model in detail'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "publish" -d 'Upload a weights file and register + publish it, or publish an existing draft by id'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "pull" -d 'Download a model\'s weights (latest published by name, or by id)'
complete -c clearml -n "__fish_clearml_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "list" -d 'List datasets (the latest version of each, or every version)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "show" -d 'One version: status, parents, file count and size, changes against its parents'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "get" -d 'Download a version (with its parents\' files) into a folder, verified, resumable'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "verify" -d 'Re-hash a local copy against a version\'s file list'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "diff" -d 'Files added, removed and changed from version A to version B'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "delete" -d 'Delete a version (or all versions of a name), with its chunks on the file server'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "create" -d 'Start a new dataset version; prints its id'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "add" -d 'Add files or folders to the dataset (hashed now, uploaded by \'upload\')'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "remove" -d 'Remove files (paths or wildcards inside the dataset)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "sync" -d 'Make the dataset match a folder: add new files, replace modified ones, remove missing ones'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "upload" -d 'Upload the pending files in compressed chunks (resumable)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "close" -d 'Finalize the version (uploading what is pending first); it becomes read-only'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "publish" -d 'Publish a closed version'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and not __fish_seen_subcommand_from list show get verify diff delete create add remove sync upload close publish help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l project -d 'Only datasets of this project (and its subprojects)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l name -d 'Name regex' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l all-versions -d 'Every version, not only the latest of each name'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l include-drafts -d 'Include versions still being written (not closed)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l project -d 'Look the name up in this project only' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l version -d 'This version of the named dataset (e.g. 1.0.2)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l files -d 'Also list every file (path, size, sha256, version it comes from)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l project -d 'Look the name up in this project only' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l version -d 'This version of the named dataset (e.g. 1.0.2)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -s o -l output -d 'Folder to put the files in (created; files of the version are written over)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l parallel -d 'Chunks downloaded at once' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l link -d 'Extract into the SDK\'s dataset cache and link DIR\'s files there, so a later Dataset.get_local_copy() is a cache hit'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l project -d 'Look the name up in this project only' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l version -d 'This version of the named dataset (e.g. 1.0.2)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -l project -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l project -d 'Look the name up in this project only' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l version -d 'This version of the named dataset (e.g. 1.0.2)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l all-versions -d 'Every version of the dataset\'s name'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l with-files -d 'Also delete the chunks (and state) from the file server'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l force -d 'Delete even when other versions use it as a parent'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l project -d 'Project (the version lives in its hidden .datasets subproject, as the SDK keeps it)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l name -d 'Dataset name' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l parents -d 'Parent versions (ids) whose files the new version starts from' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l version -d 'Version string (default: the latest of this name plus one, else 1.0.0)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l tags -d 'Tags, comma separated' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l description -d 'Description' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l id -d 'Dataset id (default: the dataset \'clearml dataset create\' made last on this machine)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l wildcard -d 'Only files matching this wildcard (repeatable), e.g. \'*.jpg\'' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l dataset-folder -d 'Put the files under this folder inside the dataset' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l non-recursive -d 'Do not descend into subfolders'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l id -d 'Dataset id (default: the dataset \'clearml dataset create\' made last on this machine)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l non-recursive -d 'A wildcard matches in subfolders too only with this off'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l id -d 'Dataset id (default: the dataset \'clearml dataset create\' made last on this machine)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l dataset-folder -d 'Match this folder inside the dataset instead of its root' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l id -d 'Dataset id (default: the dataset \'clearml dataset create\' made last on this machine)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l chunk-size -d 'Target size of one chunk, in MiB of input' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l parallel -d 'Chunks compressed and uploaded at once' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from upload" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l id -d 'Dataset id (default: the dataset \'clearml dataset create\' made last on this machine)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l chunk-size -d 'Target size of one chunk for what is still pending, in MiB' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from close" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -l id -d 'Dataset id (default: the dataset \'clearml dataset create\' made last on this machine)' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from publish" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "list" -d 'List datasets (the latest version of each, or every version)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "show" -d 'One version: status, parents, file count and size, changes against its parents'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "get" -d 'Download a version (with its parents\' files) into a folder, verified, resumable'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Re-hash a local copy against a version\'s file list'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Files added, removed and changed from version A to version B'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a version (or all versions of a name), with its chunks on the file server'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "create" -d 'Start a new dataset version; prints its id'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add files or folders to the dataset (hashed now, uploaded by \'upload\')'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove files (paths or wildcards inside the dataset)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "sync" -d 'Make the dataset match a folder: add new files, replace modified ones, remove missing ones'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "upload" -d 'Upload the pending files in compressed chunks (resumable)'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "close" -d 'Finalize the version (uploading what is pending first); it becomes read-only'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "publish" -d 'Publish a closed version'
complete -c clearml -n "__fish_clearml_using_subcommand dataset; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -f -a "run" -d 'Run a pipeline file: the controller and its steps appear on the server as the SDK\'s PipelineController makes them, and clearml-agent workers execute the steps (exit 6 if it fails or is stopped, 2 for a bad file, 5 for a missing base task or queue)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -f -a "status" -d 'One run\'s DAG: each step\'s status, task id and duration'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -f -a "list" -d 'Pipeline runs with status, start, duration and steps done'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -f -a "schedule" -d 'Run a pipeline file at each cron fire time, in the foreground (systemd, a container, nohup): never two runs at once (a fire time during a run is skipped and logged), no replay of fire times missed while down; one line per decision on stderr; SIGTERM or Ctrl-C exits 0. Registers a `service` task (as the SDK\'s TaskScheduler) in --project'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -f -a "stats" -d 'Per pipeline: runs, completed/failed/stopped, success rate, duration mean/p50/p95, last run and a duration sparkline; per step: runs, failure rate, mean/p95 duration, time queued versus running, the step that fails most. SDK-made runs count too'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and not __fish_seen_subcommand_from run status list schedule stats help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l param -d 'Override a pipeline parameter (repeatable)' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l queue -d 'Queue for the steps without execution_queue (overrides default_queue)' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l notify -d 'When it ends, POST a JSON summary to this http(s) URL (4 attempts with backoff on errors, 429 and 5xx; a notification that cannot be delivered is only a warning)' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l notify-format -d 'Body of --notify: our JSON summary, or Slack\'s incoming-webhook {"text": ...}' -r -f -a "json\t''
slack\t''"
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l log-lines -d 'Console lines shown for each step that failed (0: none)' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l dry-run -d 'Check everything and print the DAG in launch order; create nothing'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l project -d 'Look the name up under this project only' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l watch -d 'Refresh until the run ends'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l project -d 'Only pipelines of this project' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l name -d 'Only runs of the pipeline with this name' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l limit -d 'At most N runs, newest first' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l cron -d 'Cron expression: 5 fields ("0 2 * * *") or @hourly/@daily/@weekly/@monthly/@yearly. A leading sixth field of seconds is accepted ("*/2 * * * * *", meant for tests)' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l tz -d 'Time zone the cron expression is read in (IANA name, e.g. Europe/Moscow)' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l param -d 'Override a pipeline parameter (repeatable)' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l queue -d 'Queue for the steps without execution_queue (overrides default_queue)' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l project -d 'Project of the scheduler\'s own service task' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l notify -d 'When it ends, POST a JSON summary to this http(s) URL (4 attempts with backoff on errors, 429 and 5xx; a notification that cannot be delivered is only a warning)' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l notify-format -d 'Body of --notify: our JSON summary, or Slack\'s incoming-webhook {"text": ...}' -r -f -a "json\t''
slack\t''"
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l dry-run -d 'Check the file (as `pipeline run --dry-run`) and print the next five fire times'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l catch-up -d 'At start, run once if a fire time passed since this pipeline\'s newest run began (by default fire times missed while the scheduler was down are not replayed)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l stop-running-on-exit -d 'On exit, stop the run in flight (by default it is left running on the server)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from schedule" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l project -d 'Only pipelines of this project' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l last -d 'The N newest runs of each pipeline' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l since -d 'Runs created within this long (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l svg -d 'Write run durations over time, coloured by status, as an SVG chart' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run a pipeline file: the controller and its steps appear on the server as the SDK\'s PipelineController makes them, and clearml-agent workers execute the steps (exit 6 if it fails or is stopped, 2 for a bad file, 5 for a missing base task or queue)'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "status" -d 'One run\'s DAG: each step\'s status, task id and duration'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "list" -d 'Pipeline runs with status, start, duration and steps done'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "schedule" -d 'Run a pipeline file at each cron fire time, in the foreground (systemd, a container, nohup): never two runs at once (a fire time during a run is skipped and logged), no replay of fire times missed while down; one line per decision on stderr; SIGTERM or Ctrl-C exits 0. Registers a `service` task (as the SDK\'s TaskScheduler) in --project'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Per pipeline: runs, completed/failed/stopped, success rate, duration mean/p50/p95, last run and a duration sparkline; per step: runs, failure rate, mean/p95 duration, time queued versus running, the step that fails most. SDK-made runs count too'
complete -c clearml -n "__fish_clearml_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'Queues with their pending tasks and the workers listening'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "list" -d 'Queues with their pending tasks and the workers listening'
complete -c clearml -n "__fish_clearml_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'Workers with their queues, current task and when last seen'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from help" -f -a "list" -d 'Workers with their queues, current task and when last seen'
complete -c clearml -n "__fish_clearml_using_subcommand worker; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -f -a "create" -d 'Make a new key pair for the user of the configured credentials and print it as the web UI shows it (a clearml.conf api block: `clearml init --credentials -` takes it); the secret is shown only this once'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -f -a "list" -d 'The key pairs of the configured user: access key, label, last use (never secrets)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -f -a "revoke" -d 'Revoke key pairs: they stop logging in, and their tokens stop working'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and not __fish_seen_subcommand_from create list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l label -d 'A label to tell the pair apart later (e.g. "ci-bot")' -r
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l dry-run -d 'Say what would be made; make nothing'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l force -d 'Also revoke the pair this command authenticates with (it locks this clearml.conf out)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l dry-run -d 'Say what would be revoked; revoke nothing'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from help" -f -a "create" -d 'Make a new key pair for the user of the configured credentials and print it as the web UI shows it (a clearml.conf api block: `clearml init --credentials -` takes it); the secret is shown only this once'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from help" -f -a "list" -d 'The key pairs of the configured user: access key, label, last use (never secrets)'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke key pairs: they stop logging in, and their tokens stop working'
complete -c clearml -n "__fish_clearml_using_subcommand credentials; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l from -d 'Source: a clearml.conf or an API URL' -r
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l to -d 'Target: a clearml.conf or an API URL' -r
complete -c clearml -n "__fish_clearml_using_subcommand sync" -s p -l project -d 'Project to copy with its sub-projects (repeatable; default: every project)' -r
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l since -d 'Only tasks updated within this long (7d, 12h, 90m)' -r
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l state -d 'State file (default: clearml-sync-<source hash>.json beside the target\'s clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l parallel -d 'Tasks copied side by side' -r
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l with-files -d 'Copy artifacts, models and debug images between the file servers (the default)'
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l metadata-only -d 'Copy no files: URIs keep pointing at the source\'s file server'
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l dry-run -d 'Print what would be copied and its size; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand sync" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand sync" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand sync" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand sync" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand export" -l from -d 'Source: a clearml.conf or an API URL (default: the configuration in force)' -r
complete -c clearml -n "__fish_clearml_using_subcommand export" -s p -l project -d 'Project to copy with its sub-projects (repeatable; default: every project)' -r
complete -c clearml -n "__fish_clearml_using_subcommand export" -l since -d 'Only tasks updated within this long (7d, 12h, 90m)' -r
complete -c clearml -n "__fish_clearml_using_subcommand export" -s o -l output -d 'Archive to write (.tar.zst)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand export" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand export" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand export" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand export" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand export" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand export" -l with-files -d 'Copy artifacts, models and debug images between the file servers (the default)'
complete -c clearml -n "__fish_clearml_using_subcommand export" -l metadata-only -d 'Copy no files: URIs keep pointing at the source\'s file server'
complete -c clearml -n "__fish_clearml_using_subcommand export" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand export" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand export" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand export" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand export" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand export" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand export" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand import" -l to -d 'Target: a clearml.conf or an API URL' -r
complete -c clearml -n "__fish_clearml_using_subcommand import" -s p -l project -d 'Only these projects of the archive (with sub-projects; default: all)' -r
complete -c clearml -n "__fish_clearml_using_subcommand import" -l state -d 'State file (default: beside the target\'s clearml.conf, one per exporting server)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand import" -l parallel -d 'Tasks copied side by side' -r
complete -c clearml -n "__fish_clearml_using_subcommand import" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand import" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand import" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand import" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand import" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand import" -l dry-run -d 'Print what would be copied; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand import" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand import" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand import" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand import" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand import" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand import" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand import" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l older-than -d 'Only tasks last updated longer ago than this (e.g. 30d, 12h)' -r
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l status -d 'Tasks of these statuses, archived or not, instead of the archived ones (comma separated or repeated; e.g. failed,stopped)' -r -f -a "created\t''
queued\t''
in_progress\t''
stopped\t''
completed\t''
failed\t''
published\t''
publishing\t''
closed\t''
unknown\t''"
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l project -d 'Only this project and its sub-projects' -r
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l keep-last -d 'Keep the N most recently updated of the selected tasks in each project' -r
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l journal -d 'Journal of files still to delete [default: clearml-cleanup-<server hash>.json beside clearml.conf]' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l data-dir -d 'With --orphans: the data dir of \'server serve\' (its files/) or of \'server up\' (its data/fileserver/) [default: serve\'s ($CLEARML_SERVE_DATA_DIR, else ~/.local/share/clearml/serve) when it is the configured server]' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l no-files -d 'Leave the files on the file server; delete only tasks, models and events'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l dry-run -d 'Print what would be deleted and the bytes it holds; change nothing'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -s y -l yes -d 'Do not ask before deleting'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l models -d 'Also delete archived models (narrowed by --project and --older-than) with their files'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l orphans -d 'Instead of tasks: delete the files in the file server\'s folder that no task or model refers to (--dry-run lists them with their sizes)'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand cleanup" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand completions" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand completions" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand completions" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand completions" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand completions" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand completions" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand completions" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand completions" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand completions" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand completions" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand completions" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -l config -d 'clearml.conf to read; it must exist (default: $CLEARML_CONFIG_FILE, else ~/clearml.conf)' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -l api-host -d 'API server URL, overriding CLEARML_API_HOST and the file' -r
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -l format -d 'Output format for results on stdout' -r -f -a "table\t''
json\t''
csv\t''"
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -l ca-bundle -d 'CA bundle (PEM) to verify the server\'s TLS certificate with' -r -F
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -l request-timeout -d 'Longest wait for one API answer (default 30s; 45, 90s, 2m); for file transfers, the longest time without progress' -r
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -l json -d 'Shorthand for --format json'
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -l csv -d 'Shorthand for --format csv'
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -s q -l quiet -d 'Print only results and errors'
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -s v -l verbose -d 'More detail on stderr (-v requests, -vv debug)'
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -l no-color -d 'No colour (also when NO_COLOR is set or output is not a terminal)'
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -l insecure -d 'Do not verify the server\'s TLS certificate'
complete -c clearml -n "__fish_clearml_using_subcommand manpages" -s h -l help -d 'Print help'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "init" -d 'Write ~/clearml.conf: paste the credentials block from the web UI, or pass flags (CI)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "config" -d 'Inspect the configuration in force'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "server" -d 'Run and administer a ClearML server (official Docker stack or built-in)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "task" -d 'List, inspect, compare, wait for and act on experiments (tasks)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "model" -d 'List, publish and download models'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "dataset" -d 'Versioned datasets in the SDK\'s format: list, fetch, verify, create, upload, delete'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "pipeline" -d 'Run a pipeline from a TOML file on ClearML agents; its status and past runs'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "queue" -d 'List the server\'s queues'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "worker" -d 'List the workers (agents) registered with the server'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "credentials" -d 'Make, list and revoke API key pairs (for CI bots and colleagues, without the web UI)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "sync" -d 'Copy projects (tasks, events, models, files, pipeline runs) from one server to another'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "export" -d 'Write projects to one .tar.zst archive, for a server with no network path to this one'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "import" -d 'Copy an archive written by \'clearml export\' into a server'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "cleanup" -d 'Delete old experiments with their models, artifacts, logs and files on the file server; published tasks and models other tasks use are kept'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "completions" -d 'Print a shell completion script'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "manpages" -d 'Write man pages into a directory (used by `make docs`)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and not __fish_seen_subcommand_from init config server task model dataset pipeline queue worker credentials sync export import cleanup completions manpages help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Each value in force and where it came from (flag, env, file:line, default); secrets masked'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'The clearml.conf path in use'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "dump" -d 'The configuration file(s) as read (merged, before environment overrides), as JSON (--csv: key,value rows); credentials masked'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "up" -d 'Start the official server stack in Docker and wait until it is ready'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "down" -d 'Stop and remove the stack\'s containers and networks (data stays unless --purge)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "status" -d 'A row per service: state, readiness, restarts, image, ports, uptime'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "logs" -d 'Service logs, prefixed by service name'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "ping" -d 'Check the API, web and files hosts of the configured server'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "doctor" -d 'Preflight checks for the host (Docker, ports, vm.max_map_count, disk, memory, ...), and of a running stack: Elasticsearch indices made read-only when the disk filled up'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "serve" -d 'Run a built-in ClearML-compatible server (API + file server, SQLite) in the foreground'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "backup" -d 'Archive the stack\'s data and config (stops and restarts the stack)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "restore" -d 'Restore a backup made by `server backup`'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "render" -d 'Print the stack as a docker-compose.yml or Helm values file'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "selftest" -d 'End-to-end check of the configured server: task, scalars, file round-trip'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "rehost" -d 'After the file server moved (host, port, https, a bucket): point every stored link at the new place: model URIs, task artifacts, debug images and plots'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "usage" -d 'Where the disk went: file server bytes and events per project or task, largest first'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "users" -d 'The open-source server\'s users (the API server\'s fixed users, in the stack\'s data dir): list, add, remove, change a password; the API server restarts and the login is checked'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "upgrade" -d 'Upgrade the Docker stack to another server version: a verified backup first, the required steps in order, then the data counts compared; on failure the backup is restored and the old version started again'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "list" -d 'List tasks, with filters; follows pages past the server\'s 500-item cap with --all'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "show" -d 'One task in detail: status, parameters, metrics, artifacts, models'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "compare" -d 'Compare tasks side by side: parameters and metrics'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "wait" -d 'Wait until tasks reach a final status (exit 6 if any failed or stopped)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "enqueue" -d 'Put tasks in a queue for an agent to run (draft, stopped or failed tasks)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "dequeue" -d 'Take queued tasks out of their queue (back to the status they had)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "abort" -d 'Stop running or queued tasks; a task an agent runs is stopped by the agent (its status stays in_progress until the agent acknowledges)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "reset" -d 'Reset tasks to drafts: their results, logs and output models are deleted'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "archive" -d 'Archive tasks (a queued task is dequeued first)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "unarchive" -d 'Restore archived tasks (filters select archived tasks)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "publish" -d 'Publish finished tasks and their output models'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "delete" -d 'Delete tasks with their logs, metrics and unused output models (their files stay on the file server: `clearml cleanup` removes those too)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "tag" -d 'Add or remove tags'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "move" -d 'Move tasks to another project (created if missing)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "logs" -d 'A task\'s console output, as `docker logs` prints a container\'s; -f follows it until the task ends (exit 6 if it failed or was stopped, as `task wait`)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "clone" -d 'Copy a task as a new draft, override parameters, and optionally enqueue it'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "edit" -d 'Change one task: parameters, name, comment, tags'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "launch" -d 'Make a script into a task an agent can run (its git repository, commit and uncommitted changes, or its text), and enqueue it with --queue'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "list" -d 'List models'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "show" -d 'One model in detail'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "publish" -d 'Upload a weights file and register + publish it, or publish an existing draft by id'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "pull" -d 'Download a model\'s weights (latest published by name, or by id)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "list" -d 'List datasets (the latest version of each, or every version)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "show" -d 'One version: status, parents, file count and size, changes against its parents'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "get" -d 'Download a version (with its parents\' files) into a folder, verified, resumable'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "verify" -d 'Re-hash a local copy against a version\'s file list'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "diff" -d 'Files added, removed and changed from version A to version B'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "delete" -d 'Delete a version (or all versions of a name), with its chunks on the file server'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "create" -d 'Start a new dataset version; prints its id'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "add" -d 'Add files or folders to the dataset (hashed now, uploaded by \'upload\')'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "remove" -d 'Remove files (paths or wildcards inside the dataset)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "sync" -d 'Make the dataset match a folder: add new files, replace modified ones, remove missing ones'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "upload" -d 'Upload the pending files in compressed chunks (resumable)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "close" -d 'Finalize the version (uploading what is pending first); it becomes read-only'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from dataset" -f -a "publish" -d 'Publish a closed version'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "run" -d 'Run a pipeline file: the controller and its steps appear on the server as the SDK\'s PipelineController makes them, and clearml-agent workers execute the steps (exit 6 if it fails or is stopped, 2 for a bad file, 5 for a missing base task or queue)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "status" -d 'One run\'s DAG: each step\'s status, task id and duration'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "list" -d 'Pipeline runs with status, start, duration and steps done'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "schedule" -d 'Run a pipeline file at each cron fire time, in the foreground (systemd, a container, nohup): never two runs at once (a fire time during a run is skipped and logged), no replay of fire times missed while down; one line per decision on stderr; SIGTERM or Ctrl-C exits 0. Registers a `service` task (as the SDK\'s TaskScheduler) in --project'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "stats" -d 'Per pipeline: runs, completed/failed/stopped, success rate, duration mean/p50/p95, last run and a duration sparkline; per step: runs, failure rate, mean/p95 duration, time queued versus running, the step that fails most. SDK-made runs count too'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "list" -d 'Queues with their pending tasks and the workers listening'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from worker" -f -a "list" -d 'Workers with their queues, current task and when last seen'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from credentials" -f -a "create" -d 'Make a new key pair for the user of the configured credentials and print it as the web UI shows it (a clearml.conf api block: `clearml init --credentials -` takes it); the secret is shown only this once'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from credentials" -f -a "list" -d 'The key pairs of the configured user: access key, label, last use (never secrets)'
complete -c clearml -n "__fish_clearml_using_subcommand help; and __fish_seen_subcommand_from credentials" -f -a "revoke" -d 'Revoke key pairs: they stop logging in, and their tokens stop working'
