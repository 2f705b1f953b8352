//! The command line: `serve` (default), `migrate`, `seed`, `admin create`, `keys status`,
//! `keys rotate`.

use std::io::BufRead;

use anyhow::{Context, bail};
use app::domain::SystemClock;
use app::domain::password::{PasswordHasher, WorkFactors};
use app::domain::services::admin::{NewAdmin, create_admin};
use app::types::Role;
use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::config::Config;
use crate::{Application, Overrides, database};

/// Authlink: a self-hosted integration-auth hub.
#[derive(Debug, Parser)]
#[command(name = "authlink", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Demo mode: serve a built-in OAuth2 provider and seed a demo tenant and connectors
    /// (the same as `AUTHLINK_DEMO=true`).
    #[arg(long, global = true)]
    pub demo: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrations run first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create sample tenants, for trying the dashboard and measuring it at scale.
    Seed {
        /// How many tenants to create.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        tenants: u64,
        /// External ids become `{prefix}-{n}`; choose another prefix to seed again.
        #[arg(long, default_value = "seed")]
        prefix: String,
    },
    /// Manage dashboard accounts.
    Admin {
        /// What to do with accounts.
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Inspect and rotate the master key that seals stored secrets.
    Keys {
        /// What to do with the keys.
        #[command(subcommand)]
        command: KeysCommand,
    },
}

/// `authlink keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Show each key and how many stored values it seals.
    Status,
    /// Seal every stored value with a new key, online and resumable: while values are still
    /// sealed by an older key, this continues that rotation; otherwise it first adds a new key
    /// to the key file (with `AUTHLINK_MASTER_KEY`, set the new key yourself first).
    Rotate {
        /// Rows read and re-sealed per batch.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        batch: u64,
    },
}

/// `authlink admin …`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account. Before setup it becomes the owner, for headless installs.
    Create {
        /// E-mail address (sign-in name).
        #[arg(long)]
        email: String,
        /// Role once setup is done: owner, admin or viewer.
        #[arg(long, default_value = "admin", value_parser = parse_role)]
        role: Role,
        /// Product name shown to end users (used only when this creates the owner).
        #[arg(long, default_value = "Authlink")]
        product_name: String,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

/// Runs the parsed command.
pub async fn run(cli: Cli, mut config: Config) -> anyhow::Result<()> {
    config.demo |= cli.demo;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(config, Overrides::default()).await?;
            app.run_until(crate::shutdown_signal()).await
        }
        Command::Migrate => {
            let db = database::connect(&config).await?;
            database::migrate(&db).await?;
            println!("Migrations applied.");
            Ok(())
        }
        Command::Seed { tenants, prefix } => {
            let db = database::connect(&config).await?;
            database::migrate(&db).await?;
            let started = std::time::Instant::now();
            let production = app::domain::services::environments::production(&db)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let created = app::domain::services::tenants::seed(
                &db,
                &SystemClock,
                app::domain::ids::EnvironmentId(production.id),
                &prefix,
                tenants,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Created {created} tenants in {:.1}s.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Keys { command } => keys(command, &config).await,
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    role,
                    product_name,
                    password_stdin,
                },
        } => {
            let password = read_password(password_stdin)?;
            let db = database::connect(&config).await?;
            database::migrate(&db).await?;
            let hasher =
                PasswordHasher::new(WorkFactors::OWASP, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
            let account = create_admin(
                &db,
                &hasher,
                &SystemClock,
                NewAdmin {
                    email,
                    password,
                    role,
                },
                &product_name,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Created {} ({}).", account.email, account.role);
            Ok(())
        }
    }
}

async fn keys(command: KeysCommand, config: &Config) -> anyhow::Result<()> {
    use app::domain::services::keys;

    let db = database::connect(config).await?;
    database::migrate(&db).await?;
    let mut keyring = crate::master_key::load_keyring(config)?;
    let fail = |e: app::error::AppError| anyhow::anyhow!("{e}");
    let batch = match command {
        KeysCommand::Status => {
            print_status(&keys::status(&db, &keyring).await.map_err(fail)?);
            return Ok(());
        }
        KeysCommand::Rotate { batch } => batch,
    };
    let before = keys::status(&db, &keyring).await.map_err(fail)?;
    let unfinished = before.iter().skip(1).any(|k| k.total() > 0);
    if unfinished {
        println!(
            "Values are still sealed by older keys: continuing the rotation to {}.",
            keyring.active_key_id()
        );
    } else if config.master_key.is_some() {
        println!(
            "Every value is sealed by the active key {}. To rotate it, give every server the new key \
             in AUTHLINK_RETIRED_MASTER_KEYS first, then make it AUTHLINK_MASTER_KEY with the old \
             one retired, and run this again.",
            keyring.active_key_id()
        );
        return Ok(());
    } else {
        keyring = crate::master_key::add_key(config)?;
        println!(
            "Added the key {} to {}; running servers pick it up within a minute.",
            keyring.active_key_id(),
            config.data_dir.join(crate::master_key::KEY_FILE).display()
        );
    }
    let done = keys::reseal(&db, &keyring, batch, |column, so_far| {
        println!("  {column}: {so_far} re-sealed so far");
    })
    .await
    .map_err(fail)?;
    println!(
        "Re-sealed {} values ({} changed meanwhile and were sealed by their writer, {} open with no loaded key).",
        done.resealed, done.changed_meanwhile, done.unreadable
    );
    let after = keys::status(&db, &keyring).await.map_err(fail)?;
    print_status(&after);
    if after.iter().skip(1).all(|k| k.total() == 0) {
        println!(
            "The older keys seal nothing now. Once every server seals with {} (a minute after \
             this, or after a restart with AUTHLINK_MASTER_KEY), run `authlink keys status` and \
             then remove them.",
            keyring.active_key_id()
        );
    }
    Ok(())
}

fn print_status(usage: &[app::domain::services::keys::KeyUsage]) {
    use app::domain::services::keys::KeyState;
    for key in usage {
        let state = match key.state {
            KeyState::Active => "active",
            KeyState::Retired => "retired",
            KeyState::Missing => "NOT LOADED",
        };
        println!("key {} ({state}): {} values", key.key_id, key.total());
        for (column, count) in &key.columns {
            println!("  {column}: {count}");
        }
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<SecretString> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        return Ok(SecretString::from(password));
    }
    let first = rpassword::prompt_password("Password: ")
        .context("cannot read the password (use --password-stdin)")?;
    let second =
        rpassword::prompt_password("Repeat the password: ").context("cannot read the password")?;
    if first != second {
        bail!("the two passwords do not match");
    }
    Ok(SecretString::from(first))
}
