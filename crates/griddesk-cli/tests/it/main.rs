mod api;
mod app;
mod browser;
mod conformance;
mod console;
mod import;
mod support;
