use k8s_openapi::api::core::v1::Container;

use crate::model::image::ImageRef;
use crate::model::{ContainerRole, PodView, Target};
use crate::rules::{Check, Report};

rule!("job-sidecar-never-exits", Check::Pod(check));

/// Shell forms of a loop or wait that never ends by itself.
const FOREVER: &[&str] = &[
    "while true",
    "while :",
    "while [ 1 ]",
    "while [ true ]",
    "while [[ true ]]",
    "sleep infinity",
    "tail -f",
    "tail -F",
    "for (;;)",
];

/// A `sleep` at least this long (one day) is a wait, not work: no Job step
/// sleeps for a day and then does something.
const ENDLESS_SLEEP_SECONDS: f64 = 86_400.0;

/// Images whose default command is a server that runs until it is stopped.
const SERVERS: &[&str] = &[
    "nginx",
    "nginx-unprivileged",
    "httpd",
    "caddy",
    "haproxy",
    "traefik",
    "tomcat",
    "redis",
    "valkey",
    "memcached",
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "rabbitmq",
];

/// Why a container never exits, and the field that says so.
struct Endless {
    what: String,
    field: &'static str,
}

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    if !pod.kind.runs_to_completion() {
        return;
    }
    for c in pod.containers().filter(|c| c.role == ContainerRole::Regular) {
        let Some(endless) = never_exits(&c.container) else {
            continue;
        };
        out.at(
            Target::Field(c.path.key(endless.field)),
            format!(
                "container `{}` {} and never exits: the {} never completes",
                c.name(),
                endless.what,
                pod.kind.name()
            ),
        )
        .help("make it a native sidecar (an initContainer with restartPolicy: Always), which stops when the main containers finish")
        .container(c.name());
    }
}

fn never_exits(container: &Container) -> Option<Endless> {
    let command = container.command.as_deref().unwrap_or_default();
    let args = container.args.as_deref().unwrap_or_default();
    if let Some(endless) = endless_image(container, command, args) {
        return Some(endless);
    }
    // The process runs `command` followed by `args`: read them as one
    // line, so that `command: [sleep]` with `args: [infinity]` is seen.
    let script = command
        .iter()
        .chain(args)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    let script_words = words(&script);
    // `timeout 600 ...` bounds whatever it runs.
    if command_starts(&script_words).any(|word| word == "timeout") {
        return None;
    }
    let (what, needle) = FOREVER
        .iter()
        .find(|p| script.contains(*p))
        .map(|pattern| (format!("runs `{pattern}`"), pattern.to_string()))
        .or_else(|| endless_sleep(&script_words))
        .or_else(|| fifo_read(&script_words))?;
    // A loop that can leave (`break`, `exit`) ends the Job by itself.
    if script.contains("break") || script.contains("exit") {
        return None;
    }
    // Point at the field that holds the wait; `args` when it completes one
    // that `command` starts.
    let command_text = command.join(" ");
    let in_command =
        command_text.contains(&needle) || words(&command_text).join(" ").contains(&needle);
    let field = if args.is_empty() || in_command {
        "command"
    } else {
        "args"
    };
    Some(Endless { what, field })
}

/// Images that wait forever by design: the pause container, agnhost's
/// `pause` subcommand, and servers run with their default command.
fn endless_image(container: &Container, command: &[String], args: &[String]) -> Option<Endless> {
    let image = ImageRef::parse(container.image.as_deref()?);
    let name = image.name();
    let first = command.iter().chain(args).next().map(String::as_str);
    if name == "pause" && matches!(first, None | Some("/pause")) {
        return Some(Endless {
            what: "runs the pause image".to_string(),
            field: "image",
        });
    }
    if name == "agnhost" && first == Some("pause") {
        return Some(Endless {
            what: "runs `agnhost pause`".to_string(),
            field: if command.is_empty() { "args" } else { "command" },
        });
    }
    // Arguments that are not options replace the server (`redis-cli ping`).
    let default_command =
        command.is_empty() && args.first().is_none_or(|arg| arg.starts_with('-'));
    (SERVERS.contains(&name) && default_command).then(|| Endless {
        what: format!("runs the {name} server (the image's default command)"),
        field: "image",
    })
}

/// The script's words, without the quotes and separators glued to them.
fn words(script: &str) -> Vec<&str> {
    script
        .split(|c: char| c.is_whitespace() || c == ';')
        .map(|word| word.trim_matches(|c| matches!(c, '"' | '\'' | '(' | ')')))
        .filter(|word| !word.is_empty())
        .collect()
}

/// The words that start a command: the first, and those after a separator
/// or a shell keyword.
fn command_starts<'a>(words: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
    let after_separator = words.windows(2).filter_map(|pair| {
        matches!(
            pair[0],
            "&&" | "||" | "|" | "-c" | "exec" | "do" | "then" | "else" | "sh" | "bash"
        )
        .then_some(pair[1])
    });
    words.first().copied().into_iter().chain(after_separator)
}

/// `sleep N` for a day or more (`sleep 2147483647`, `sleep 365d`): what it
/// runs, and those words.
fn endless_sleep(words: &[&str]) -> Option<(String, String)> {
    words.windows(2).find_map(|pair| {
        let [sleep, duration] = pair else { return None };
        if *sleep != "sleep" {
            return None;
        }
        let (number, unit) = match duration.char_indices().last()? {
            (i, 's') => (&duration[..i], 1.0),
            (i, 'm') => (&duration[..i], 60.0),
            (i, 'h') => (&duration[..i], 3600.0),
            (i, 'd') => (&duration[..i], 86_400.0),
            _ => (*duration, 1.0),
        };
        let seconds = number.parse::<f64>().ok()? * unit;
        let text = format!("sleep {duration}");
        (seconds >= ENDLESS_SLEEP_SECONDS).then(|| (format!("runs `{text}`"), text))
    })
}

/// `mkfifo PATH` and then `cat PATH` (or `cat < PATH`): a read that waits
/// for a writer forever. What it reads, and the word that starts it.
fn fifo_read(words: &[&str]) -> Option<(String, String)> {
    let words: Vec<&str> = words
        .iter()
        .copied()
        .filter(|word| !matches!(*word, "<" | "<>"))
        .collect();
    let fifos: Vec<&str> = words
        .windows(2)
        .filter(|pair| pair[0] == "mkfifo")
        .map(|pair| pair[1])
        .collect();
    words.windows(2).find_map(|pair| {
        let target = pair[1].trim_start_matches(['<', '>']);
        (pair[0] == "cat" && fifos.contains(&target))
            .then(|| (format!("reads the FIFO `{target}`"), "cat".to_string()))
    })
}
