mod api;
mod app;
mod browser;
mod conformance;
mod console;
mod demo;
mod import;
mod support;
