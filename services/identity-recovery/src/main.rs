use identity_recovery::{Application, IdentityArgs, NAME, Settings};

fn main() -> std::process::ExitCode {
    beian_platform::cli::run_service(NAME, |args, extra: IdentityArgs| async move {
        let application = Application::build(Settings::from_args(&args, &extra)?).await?;
        application.run_until(beian_platform::shutdown::signal()).await
    })
}
